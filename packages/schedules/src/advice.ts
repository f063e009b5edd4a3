import { assertPositive } from './errors.js';

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

export type InputScaleRule = 'chen2023' | 'simpleDiffusion';

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

const CHEN_SOURCE =
  'Chen 2023, "On the Importance of Noise Scheduling for Diffusion Models", Table 1';
const SIMPLE_SOURCE =
  'Hoogeboom et al. 2023, simple diffusion: shift logSNR by 2·ln(64/d), i.e. b = 64/d relative to its cosine';

/**
 * Suggested input scale b for a d×d image.
 * - `chen2023` (default): the paper's Table 1 row at 64, 128, 256, 512, 768, 1024; between rows,
 *   ln b is interpolated linearly in log₂ d; below 64 it is 1, above 1024 it stays 0.1 (no data).
 * - `simpleDiffusion`: b = 64/d (the shift of the shifted cosine, relative to a cosine schedule).
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
  if (rule !== 'chen2023') {
    throw new RangeError(
      `\`rule\` must be 'chen2023' or 'simpleDiffusion', got ${JSON.stringify(rule)}`,
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
