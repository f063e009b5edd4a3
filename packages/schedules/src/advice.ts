import { logSnrQuantile } from './analysis.js';
import { assertPositive } from './errors.js';
import { formatNumber } from './families/common.js';
import { parseSchedule } from './spec.js';

/**
 * Rows of Chen 2023, Table 1 (class-conditional ImageNet, RIN): resolution → input scale b and the
 * training schedule used. Note the paper's own inconsistency at 256: Table 1 lists b = 0.5, while
 * Table 4's best (FID 3.52, the Table 5 number) is b = 0.4.
 */
export const TABLE1_INPUT_SCALES: readonly {
  resolution: number;
  scale: number;
  schedule: string;
}[] = [
  { resolution: 64, scale: 1.0, schedule: 'simple_linear' },
  { resolution: 128, scale: 0.6, schedule: 'simple_linear' },
  { resolution: 256, scale: 0.5, schedule: 'simple_linear' },
  { resolution: 512, scale: 0.2, schedule: 'cosine@0.2,1,1' },
  { resolution: 768, scale: 0.1, schedule: 'simple_linear' },
  { resolution: 1024, scale: 0.1, schedule: 'simple_linear' },
];

/** The resolution rules compared by {@link resolutionRules}. */
export type InputScaleRule = 'chen2023' | 'simpleDiffusion' | 'sd3' | 'flux';

export const RESOLUTION_RULES: readonly InputScaleRule[] = [
  'chen2023',
  'simpleDiffusion',
  'sd3',
  'flux',
];

export interface InputScaleAdvice {
  readonly resolution: number;
  /** Suggested b. */
  readonly scale: number;
  /** Suggested training schedule spec (to combine with `+scale=b`). */
  readonly schedule: string;
  readonly rule: InputScaleRule;
  /** Whether `scale` is a table row or interpolated/extrapolated from it. */
  readonly exact: boolean;
  /** Where the number comes from, to print next to it. */
  readonly source: string;
}

/** One resolution rule at one resolution, in the common unit: a logSNR offset 2·ln b = −2·ln s. */
export interface ResolutionAdvice extends InputScaleAdvice {
  /** SD3's shift s = 1/b: `+shift=s` moves logSNR as `+scale=b` does. */
  readonly shift: number;
  /** 2·ln b = −2·ln s: how far the rule moves logSNR from its base schedule. */
  readonly logSnrOffset: number;
  /** The rule as its authors apply it, as a spec string of this library. */
  readonly spec: string;
  /** Median training logSNR of `spec` (t ~ U(0, 1)): compares rules whose base schedules differ. */
  readonly medianLogSnr: number;
  /** What the number means and where it stops applying. */
  readonly note: string;
}

export interface ResolutionRuleOptions {
  /** SD3's base (pre-training) resolution n = side² (default 256). */
  readonly sd3BaseResolution?: number;
  /** Image pixels per Flux token side: 8 (VAE) × 2 (patch) = 16 (default). */
  readonly fluxPixelsPerToken?: number;
}

const CHEN_SOURCE =
  'Chen 2023, "On the Importance of Noise Scheduling for Diffusion Models", Table 1';
const SIMPLE_SOURCE =
  'Hoogeboom et al. 2023, simple diffusion: shift logSNR by 2·ln(64/d), i.e. b = 64/d relative to its cosine';
const SD3_SOURCE =
  'Esser et al. 2024 (SD3), §5.3.2: t_m = √(m/n)·t_n / (1 + (√(m/n) − 1)·t_n), m and n the pixel counts, n = 256²';
const FLUX_SOURCE =
  'Black Forest Labs, Flux (flux/sampling.py get_schedule; diffusers pipeline_flux.py calculate_shift): mu linear in the image token count through (256, 0.5) and (4096, 1.15), t′ = e^mu / (e^mu + 1/t − 1)';

const advice = (
  base: InputScaleAdvice,
  shift: number,
  spec: string,
  note: string,
): ResolutionAdvice => ({
  ...base,
  shift,
  // The rule's own parameter is the primary one: b for Chen's input scale, s for the shifts.
  logSnrOffset: base.rule === 'chen2023' ? 2 * Math.log(base.scale) : -2 * Math.log(shift),
  spec,
  medianLogSnr: logSnrQuantile(parseSchedule(spec), 0.5),
  note,
});

/** Flux's `calculate_shift`, in its operation order: mu = tokens·m + (0.5 − m·256), m = 0.65/3840. */
export function fluxShiftMu(imageTokens: number): number {
  assertPositive('imageTokens', imageTokens);
  const m = (1.15 - 0.5) / (4096 - 256);
  const b = 0.5 - m * 256;
  return imageTokens * m + b;
}

/**
 * One resolution rule for a d×d image, with its source, as an input scale b, a shift s = 1/b and the
 * logSNR offset 2·ln b of its base schedule:
 * - `chen2023`: Table 1's b (see {@link suggestInputScale}), applied as `+scale=b` to Table 1's γ;
 * - `simpleDiffusion`: s = d/64 on the cosine logSNR (`shifted_cosine@d,64`);
 * - `sd3`: s = √(m/n) = d/256 on SD3's logit-normal(0, 1) training density (`lognormal@0,2+shift=s`);
 * - `flux`: s = e^mu, mu linear in the (d/16)² latent tokens, on the rectified-flow sampling grid
 *   (`rectified_flow+shift=s`).
 */
export function resolutionRule(
  resolution: number,
  rule: InputScaleRule,
  options: ResolutionRuleOptions = {},
): ResolutionAdvice {
  assertPositive('resolution', resolution);
  switch (rule) {
    case 'chen2023': {
      const chen = suggestInputScale(resolution, 'chen2023');
      const spec =
        chen.scale === 1 ? chen.schedule : `${chen.schedule}+scale=${formatNumber(chen.scale)}`;
      return advice(
        chen,
        1 / chen.scale,
        spec,
        'pixel-space RIN on ImageNet; b scales x0 (x_t = √γ·b·x0 + √(1 − γ)·ε), γ unchanged',
      );
    }
    case 'simpleDiffusion': {
      const simple = suggestInputScale(resolution, 'simpleDiffusion');
      return advice(
        simple,
        resolution / 64,
        `shifted_cosine@${formatNumber(resolution)},64`,
        'pixel-space U-ViT; the cosine logSNR shifted so a d×d image gets the noise of a 64×64 one',
      );
    }
    case 'sd3': {
      const base = options.sd3BaseResolution ?? 256;
      assertPositive('sd3BaseResolution', base);
      const shift = resolution / base;
      return advice(
        {
          resolution,
          scale: 1 / shift,
          schedule: 'lognormal@0,2',
          rule,
          exact: true,
          source: SD3_SOURCE,
        },
        shift,
        shift === 1 ? 'lognormal@0,2' : `lognormal@0,2+shift=${formatNumber(shift)}`,
        'latent rectified flow (8× VAE); the released 1024² SD3 scheduler uses shift 3.0 where the rule gives 4',
      );
    }
    case 'flux': {
      const perToken = options.fluxPixelsPerToken ?? 16;
      assertPositive('fluxPixelsPerToken', perToken);
      const tokens = (resolution / perToken) ** 2;
      const shift = Math.exp(fluxShiftMu(tokens));
      const inside = tokens >= 256 && tokens <= 4096;
      return advice(
        {
          resolution,
          scale: 1 / shift,
          schedule: 'rectified_flow',
          rule,
          exact: inside,
          source: `${FLUX_SOURCE}; ${formatNumber(tokens)} tokens${inside ? '' : ' (outside the fitted 256…4096, extrapolated)'}`,
        },
        shift,
        `rectified_flow+shift=${formatNumber(shift)}`,
        'latent rectified flow (8× VAE, 2×2 patches); a sampling-time shift, linear in tokens, unbounded above',
      );
    }
    default:
      throw new RangeError(
        `\`rule\` must be one of ${RESOLUTION_RULES.join(', ')}, got ${JSON.stringify(rule)}`,
      );
  }
}

/** Every rule of {@link resolutionRule} at one resolution, side by side, in the same units. */
export function resolutionRules(
  resolution: number,
  options: ResolutionRuleOptions = {},
): ResolutionAdvice[] {
  return RESOLUTION_RULES.map((rule) => resolutionRule(resolution, rule, options));
}

/**
 * Suggested input scale b for a d×d image.
 * - `chen2023` (default): the paper's Table 1 row at 64, 128, 256, 512, 768, 1024; between rows,
 *   ln b is interpolated linearly in log₂ d; below 64 it is 1, above 1024 it stays 0.1 (no data).
 * - `simpleDiffusion`: b = 64/d (the shift of the shifted cosine, relative to a cosine schedule);
 * - `sd3`, `flux`: b = 1/s of their shift (see {@link resolutionRule}, which also gives s and the
 *   logSNR offset of every rule).
 */
export function suggestInputScale(
  resolution: number,
  rule: InputScaleRule = 'chen2023',
): InputScaleAdvice {
  assertPositive('resolution', resolution);
  if (rule === 'simpleDiffusion') {
    return {
      resolution,
      scale: 64 / resolution,
      schedule: 'cosine',
      rule,
      exact: true,
      source: SIMPLE_SOURCE,
    };
  }
  if (rule === 'sd3' || rule === 'flux') {
    const { scale, schedule, exact, source } = resolutionRule(resolution, rule);
    return { resolution, scale, schedule, rule, exact, source };
  }
  if (rule !== 'chen2023') {
    throw new RangeError(
      `\`rule\` must be one of ${RESOLUTION_RULES.join(', ')}, got ${JSON.stringify(rule)}`,
    );
  }
  const rows = TABLE1_INPUT_SCALES;
  const first = rows[0]!;
  const last = rows[rows.length - 1]!;
  const exactRow = rows.find((row) => row.resolution === resolution);
  if (exactRow) return { ...exactRow, resolution, rule, exact: true, source: CHEN_SOURCE };
  if (resolution < first.resolution) {
    return {
      resolution,
      scale: first.scale,
      schedule: first.schedule,
      rule,
      exact: false,
      source: `${CHEN_SOURCE} (below its smallest row, 64)`,
    };
  }
  if (resolution > last.resolution) {
    return {
      resolution,
      scale: last.scale,
      schedule: last.schedule,
      rule,
      exact: false,
      source: `${CHEN_SOURCE} (above its largest row, 1024)`,
    };
  }
  const upper = rows.findIndex((row) => row.resolution > resolution);
  const lo = rows[upper - 1]!;
  const hi = rows[upper]!;
  const w =
    (Math.log2(resolution) - Math.log2(lo.resolution)) /
    (Math.log2(hi.resolution) - Math.log2(lo.resolution));
  const scale = Math.exp((1 - w) * Math.log(lo.scale) + w * Math.log(hi.scale));
  return {
    resolution,
    scale,
    schedule: 'simple_linear',
    rule,
    exact: false,
    source: `${CHEN_SOURCE} (log-interpolated between ${lo.resolution} and ${hi.resolution})`,
  };
}
