import { DEFAULT_CLIP_MIN } from './families/common.js';
import { cosine } from './families/cosine.js';
import { cosineSimple } from './families/cosine-simple.js';
import { iddpmCosine } from './families/iddpm-cosine.js';
import { laplace } from './families/laplace.js';
import { linear } from './families/linear.js';
import { edmLognormal, lognormal, sd3LogitNormal } from './families/lognormal.js';
import { rectifiedFlow } from './families/rectified-flow.js';
import { sigmoid } from './families/sigmoid.js';
import { interpolatedCosine, shiftedCosine } from './families/simple-diffusion.js';
import { withInputScale } from './scaling.js';
import type { Schedule } from './schedule.js';
import { withShift } from './shift.js';

/**
 * Spec strings, compatible with the reference configs (`train_schedule`, `infer_schedule`):
 *
 * | spec | schedule |
 * |---|---|
 * | `simple_linear` (alias `linear`) | γ = 1 − t |
 * | `cosine` | the reference code's `cosine_schedule_simple` (its default inference schedule) |
 * | `cosine@s,e,τ` | Algorithm 1 cosine, all three fields required |
 * | `sigmoid@s,e,τ` (or `sigmoid` = −3,3,1) | Algorithm 1 sigmoid |
 * | `iddpm_cosine[@s]` | improved-DDPM cosine, s = 0.008 |
 * | `shifted_cosine@d,n[,λmin,λmax]` | simple diffusion's shifted cosine for image size d, base n |
 * | `interpolated_cosine@d,lo,hi[,λmin,λmax]` | simple diffusion's interpolated shifted cosine |
 * | `lognormal@mean,std` | logSNR ~ N(mean, std²) under t ~ U(0, 1) |
 * | `edm@P_mean,P_std` | EDM's ln σ ~ N(P_mean, P_std²), written back as `lognormal@(−2·P_mean),(2·P_std)` |
 * | `logit_normal@m,s` | SD3's logit-normal flow time, written back as `lognormal@(−2·m),(2·s)` |
 * | `laplace[@μ,b]` | Hang et al. 2024, logSNR ~ Laplace(μ, b), default (0, 0.5) |
 * | `rectified_flow` | x_t = (1 − t)·x0 + t·ε as a VP schedule |
 *
 * Extensions, appended in any order: `+scale=b` (input scale), `+shift=s` (SD3's shift of the
 * schedule itself, logSNR − 2·ln s) and `+clip=c` (γ floor of linear/cosine/sigmoid, default 1e-9).
 * `formatSchedule` writes the canonical form (`+clip`, then `+shift`, then `+scale`), which parses
 * back to the same schedule.
 */
export const SCHEDULE_SPEC_FORMS = [
  'simple_linear',
  'cosine',
  'cosine@start,end,tau',
  'sigmoid@start,end,tau',
  'iddpm_cosine[@s]',
  'shifted_cosine@imageSize,noiseSize[,logSnrMin,logSnrMax]',
  'interpolated_cosine@imageSize,noiseSizeLow,noiseSizeHigh[,logSnrMin,logSnrMax]',
  'lognormal@mean,std',
  'edm@pMean,pStd',
  'logit_normal@m,s',
  'laplace[@mu,b]',
  'rectified_flow',
] as const;

const MODIFIERS = ['scale', 'shift', 'clip'] as const;
type Modifier = (typeof MODIFIERS)[number];

function syntaxError(spec: string, problem: string): SyntaxError {
  return new SyntaxError(
    `invalid schedule spec ${JSON.stringify(spec)}: ${problem}. Expected one of ${SCHEDULE_SPEC_FORMS.join(
      ', ',
    )}, optionally followed by +scale=B, +shift=S and/or +clip=C`,
  );
}

function parseNumber(spec: string, text: string, what: string): number {
  const trimmed = text.trim();
  const value = trimmed === '' ? Number.NaN : Number(trimmed);
  if (!Number.isFinite(value))
    throw syntaxError(spec, `${what} ${JSON.stringify(text)} is not a finite number`);
  return value;
}

function expectFields(
  spec: string,
  name: string,
  fields: number[],
  min: number,
  max: number,
): void {
  if (fields.length < min || fields.length > max) {
    const wanted = min === max ? `${min}` : `${min} to ${max}`;
    throw syntaxError(
      spec,
      `\`${name}\` takes ${wanted} comma-separated numbers after @, got ${fields.length}`,
    );
  }
}

/** Parses a spec string (see {@link SCHEDULE_SPEC_FORMS}); throws `SyntaxError` naming the problem. */
export function parseSchedule(spec: string): Schedule {
  if (typeof spec !== 'string')
    throw new TypeError(`schedule spec must be a string, got ${typeof spec}`);
  const [head = '', ...modifierTexts] = spec.trim().split('+');
  const modifiers = new Map<Modifier, number>();
  for (const text of modifierTexts) {
    const [key = '', value, ...rest] = text.split('=');
    if (value === undefined || rest.length > 0 || !MODIFIERS.includes(key.trim() as Modifier)) {
      throw syntaxError(
        spec,
        `unknown modifier ${JSON.stringify(`+${text}`)} (allowed: +scale=B, +shift=S, +clip=C)`,
      );
    }
    const name = key.trim() as Modifier;
    if (modifiers.has(name)) throw syntaxError(spec, `modifier +${name} given twice`);
    modifiers.set(name, parseNumber(spec, value, `+${name}`));
  }

  const at = head.indexOf('@');
  const name = (at < 0 ? head : head.slice(0, at)).trim();
  const fields =
    at < 0
      ? []
      : head
          .slice(at + 1)
          .split(',')
          .map((field, i) => parseNumber(spec, field, `field ${i + 1}`));
  const clipMin = modifiers.get('clip');
  const clipped = (build: (clip: number) => Schedule): Schedule =>
    build(clipMin ?? DEFAULT_CLIP_MIN);
  const noClip = (): void => {
    if (clipMin !== undefined) throw syntaxError(spec, `+clip does not apply to \`${name}\``);
  };

  let schedule: Schedule;
  try {
    schedule = buildNamed();
  } catch (error) {
    if (error instanceof RangeError) throw syntaxError(spec, error.message);
    throw error;
  }
  const shift = modifiers.get('shift');
  if (shift !== undefined) {
    if (!(shift > 0)) throw syntaxError(spec, `+shift must be > 0, got ${shift}`);
    schedule = withShift(schedule, shift);
  }
  const scale = modifiers.get('scale');
  if (scale !== undefined) {
    if (!(scale > 0)) throw syntaxError(spec, `+scale must be > 0, got ${scale}`);
    schedule = withInputScale(schedule, scale);
  }
  return schedule;

  function buildNamed(): Schedule {
    switch (name) {
      case 'simple_linear':
      case 'linear':
        if (at >= 0)
          throw syntaxError(spec, `\`${name}\` takes no fields (use +clip=C for the floor)`);
        return clipped((clip) => linear({ clipMin: clip }));
      case 'cosine':
        if (at < 0) {
          noClip();
          return cosineSimple();
        }
        // All three fields: the reference code's defaults (end = 0.5) differ from the paper's (end = 1).
        expectFields(spec, name, fields, 3, 3);
        return clipped((clip) =>
          cosine({ start: fields[0]!, end: fields[1]!, tau: fields[2]!, clipMin: clip }),
        );
      case 'sigmoid':
        if (at >= 0) expectFields(spec, name, fields, 3, 3);
        return clipped((clip) =>
          sigmoid({
            start: fields[0] ?? -3,
            end: fields[1] ?? 3,
            tau: fields[2] ?? 1,
            clipMin: clip,
          }),
        );
      case 'iddpm_cosine':
        noClip();
        if (at >= 0) expectFields(spec, name, fields, 1, 1);
        return iddpmCosine(fields.length > 0 ? { s: fields[0]! } : {});
      case 'shifted_cosine':
        noClip();
        expectFields(spec, name, fields, 2, 4);
        if (fields.length === 3)
          throw syntaxError(spec, 'give both logSnrMin and logSnrMax or neither');
        return shiftedCosine({
          imageSize: fields[0]!,
          noiseSize: fields[1]!,
          ...(fields.length === 4 ? { logSnrMin: fields[2]!, logSnrMax: fields[3]! } : {}),
        });
      case 'interpolated_cosine':
        noClip();
        expectFields(spec, name, fields, 3, 5);
        if (fields.length === 4)
          throw syntaxError(spec, 'give both logSnrMin and logSnrMax or neither');
        return interpolatedCosine({
          imageSize: fields[0]!,
          noiseSizeLow: fields[1]!,
          noiseSizeHigh: fields[2]!,
          ...(fields.length === 5 ? { logSnrMin: fields[3]!, logSnrMax: fields[4]! } : {}),
        });
      case 'lognormal':
        noClip();
        expectFields(spec, name, fields, 2, 2);
        return lognormal({ mean: fields[0]!, std: fields[1]! });
      case 'edm':
        noClip();
        expectFields(spec, name, fields, 2, 2);
        return edmLognormal({ pMean: fields[0]!, pStd: fields[1]! });
      case 'logit_normal':
        noClip();
        expectFields(spec, name, fields, 2, 2);
        return sd3LogitNormal({ m: fields[0]!, s: fields[1]! });
      case 'laplace':
        noClip();
        if (at >= 0) expectFields(spec, name, fields, 2, 2);
        return laplace(fields.length > 0 ? { mu: fields[0]!, b: fields[1]! } : {});
      case 'rectified_flow':
        noClip();
        if (at >= 0) throw syntaxError(spec, '`rectified_flow` takes no fields (use +shift=S)');
        return rectifiedFlow();
      default:
        throw syntaxError(spec, `unknown schedule name ${JSON.stringify(name)}`);
    }
  }
}

/** The canonical spec string of a schedule; `parseSchedule(formatSchedule(s))` rebuilds it exactly. */
export function formatSchedule(schedule: Schedule): string {
  if (schedule.spec === undefined) {
    throw new TypeError('this schedule has no spec string: it was built with fromLogSnr(fn)');
  }
  return schedule.spec;
}
