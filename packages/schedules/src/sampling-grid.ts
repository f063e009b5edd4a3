/**
 * Inference grids: the noise levels a sampler visits, as the time grid of Algorithm 3 (`tNow`,
 * `tNext`, what `@ns/sampler` steps through) together with γ there. Any schedule can be sampled on
 * any spacing: Algorithm 3's uniform grid, diffusers' leading / trailing / linspace timesteps, or
 * Karras σ's (ρ = 7), each mapped onto the schedule through its logSNR.
 */
import { assertInteger } from './errors.js';
import { formatNumber } from './families/common.js';
import { KARRAS_DEFAULTS, karrasSigmas } from './karras.js';
import type { TimeGrid } from './sampling.js';
import type { Schedule } from './schedule.js';
import { diffusersTimesteps, TIMESTEP_SPACINGS, type TimestepSpacing } from './timesteps.js';

/** How the steps are spread; see {@link parseSpacing} for the spec strings. */
export type SamplingSpacing =
  | { readonly kind: 'uniform' }
  | { readonly kind: TimestepSpacing; readonly trainSteps: number; readonly stepsOffset: number }
  | {
      readonly kind: 'karras';
      readonly sigmaMin: number;
      readonly sigmaMax: number;
      readonly rho: number;
    };

export const SPACING_SPEC_FORMS = [
  'uniform',
  'leading[@trainSteps[,stepsOffset]]',
  'trailing[@trainSteps]',
  'linspace[@trainSteps]',
  'karras[@sigmaMin,sigmaMax[,rho]]',
] as const;

export interface SamplingGrid extends TimeGrid {
  /** Canonical spacing spec (see {@link formatSpacing}). */
  readonly spacing: string;
  /** γ(tNow[i]) and γ(tNext[i]) of the schedule (its own γ, as `schedule.gamma` gives). */
  readonly gammaNow: Float64Array;
  readonly gammaNext: Float64Array;
}

function spacingError(spec: string, problem: string): SyntaxError {
  return new SyntaxError(
    `invalid spacing spec ${JSON.stringify(spec)}: ${problem}. Expected one of ${SPACING_SPEC_FORMS.join(', ')}`,
  );
}

/**
 * Parses a spacing spec: `uniform` (Algorithm 3, t_i = 1 − i/N); `leading`, `trailing`, `linspace`
 * (diffusers' `timestep_spacing` over T = 1000 trained steps unless `@T` is given, step k read as
 * t = (k + 1)/T, the convention of {@link betas}); `karras` (σ from 0.002 to 80, ρ = 7, unless given).
 */
export function parseSpacing(spec: string): SamplingSpacing {
  if (typeof spec !== 'string')
    throw new TypeError(`spacing spec must be a string, got ${typeof spec}`);
  const text = spec.trim();
  const at = text.indexOf('@');
  const name = (at < 0 ? text : text.slice(0, at)).trim();
  const fields =
    at < 0
      ? []
      : text
          .slice(at + 1)
          .split(',')
          .map((field, i) => {
            const value = field.trim() === '' ? Number.NaN : Number(field);
            if (!Number.isFinite(value))
              throw spacingError(
                spec,
                `field ${i + 1} ${JSON.stringify(field)} is not a finite number`,
              );
            return value;
          });
  const count = (min: number, max: number): void => {
    if (fields.length < min || fields.length > max) {
      throw spacingError(
        spec,
        `\`${name}\` takes ${min} to ${max} numbers after @, got ${fields.length}`,
      );
    }
  };
  const integer = (value: number, what: string, min: number): number => {
    if (!(Number.isInteger(value) && value >= min))
      throw spacingError(spec, `${what} must be an integer >= ${min}, got ${value}`);
    return value;
  };
  switch (name) {
    case 'uniform':
      if (at >= 0) throw spacingError(spec, '`uniform` takes no fields');
      return { kind: 'uniform' };
    case 'leading':
    case 'trailing':
    case 'linspace': {
      if (at >= 0) count(1, name === 'leading' ? 2 : 1);
      return {
        kind: name,
        trainSteps: integer(fields[0] ?? 1000, 'trainSteps', 1),
        stepsOffset: integer(fields[1] ?? 0, 'stepsOffset', 0),
      };
    }
    case 'karras': {
      if (at >= 0) count(2, 3);
      const sigmaMin = fields[0] ?? KARRAS_DEFAULTS.sigmaMin;
      const sigmaMax = fields[1] ?? KARRAS_DEFAULTS.sigmaMax;
      const rho = fields[2] ?? KARRAS_DEFAULTS.rho;
      if (!(sigmaMin > 0 && sigmaMin < sigmaMax))
        throw spacingError(spec, `need 0 < sigmaMin < sigmaMax, got ${sigmaMin}, ${sigmaMax}`);
      if (!(rho > 0)) throw spacingError(spec, `rho must be > 0, got ${rho}`);
      return { kind: 'karras', sigmaMin, sigmaMax, rho };
    }
    default:
      throw spacingError(spec, `unknown spacing ${JSON.stringify(name)}`);
  }
}

/** The canonical spec of a spacing, all fields written; `parseSpacing` reads it back. */
export function formatSpacing(spacing: SamplingSpacing): string {
  switch (spacing.kind) {
    case 'uniform':
      return 'uniform';
    case 'leading':
      return `leading@${spacing.trainSteps},${spacing.stepsOffset}`;
    case 'trailing':
    case 'linspace':
      return `${spacing.kind}@${spacing.trainSteps}`;
    case 'karras':
      return `karras@${formatNumber(spacing.sigmaMin)},${formatNumber(spacing.sigmaMax)},${formatNumber(spacing.rho)}`;
    default:
      throw new RangeError(
        `unknown spacing kind ${JSON.stringify((spacing as { kind: unknown }).kind)}`,
      );
  }
}

/** The N + 1 times t_0 > … > t_N = 0 of a spacing on a schedule. */
function levels(schedule: Schedule, steps: number, spacing: SamplingSpacing): Float64Array {
  switch (spacing.kind) {
    case 'uniform':
      return Float64Array.from({ length: steps + 1 }, (_, i) => (i === steps ? 0 : 1 - i / steps));
    case 'karras':
      // σ is the VE noise level of the schedule's logSNR (input scale included): λ = −2·ln σ.
      return Float64Array.from(karrasSigmas(steps, spacing), (sigma) =>
        schedule.tFromLogSnr(-2 * Math.log(sigma)),
      );
    default: {
      if (!TIMESTEP_SPACINGS.includes(spacing.kind)) {
        throw new RangeError(`unknown spacing kind ${JSON.stringify(spacing.kind)}`);
      }
      const { trainSteps } = spacing;
      const timesteps = diffusersTimesteps(steps, {
        trainSteps,
        spacing: spacing.kind,
        stepsOffset: spacing.stepsOffset,
      });
      const t = new Float64Array(timesteps.length + 1);
      timesteps.forEach((k, i) => {
        t[i] = (k + 1) / trainSteps;
      });
      return t; // the clean end, ᾱ = 1, is t = 0
    }
  }
}

/**
 * The grid a sampler steps through: `steps` transitions from tNow[i] to tNext[i] = tNow[i + 1],
 * the last one to t = 0, with γ of `schedule` at both. With the uniform spacing this is
 * `timeGrid(steps)`; diffusers' spacings visit t = (k + 1)/T for its timesteps k; Karras σ's are
 * placed where the schedule's logSNR is −2·ln σ (clamped to the schedule's range).
 */
export function samplingGrid(
  schedule: Schedule,
  steps: number,
  spacing: SamplingSpacing | string = 'uniform',
): SamplingGrid {
  assertInteger('steps', steps, 1);
  const parsed = typeof spacing === 'string' ? parseSpacing(spacing) : spacing;
  const t = levels(schedule, steps, parsed);
  const n = t.length - 1;
  const gamma = schedule.gammaArray(t);
  return {
    spacing: formatSpacing(parsed),
    tNow: t.slice(0, n),
    tNext: t.slice(1),
    gammaNow: gamma.slice(0, n),
    gammaNext: gamma.slice(1),
  };
}
