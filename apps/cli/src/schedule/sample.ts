/** Turns schedule specs into the numbers the `ns schedule` commands print and plot. */
import { parseSchedule, type Schedule, withInputScale } from '@ns/schedules';

/** The schedules of the paper's Figures 3 and 5 and Table 3, shown when none is given. */
export const PAPER_SCHEDULES = [
  'simple_linear',
  'cosine@0,1,1',
  'cosine@0.2,1,2',
  'sigmoid@-3,3,0.9',
  'sigmoid@0,3,0.5',
  'cosine',
] as const;

/** The t grid of the spec's test-vector table (§2). */
export const DEFAULT_TIMES = [0, 0.1, 0.25, 0.5, 0.75, 0.9, 1] as const;

export interface ScheduleSample {
  /** The spec as the user wrote it. */
  readonly schedule: string;
  readonly scale: number;
  readonly t: readonly number[];
  /** The schedule's own γ(t); the scale does not change it. */
  readonly gamma: readonly number[];
  /** ln(b²γ/(1 − γ)), `null` where infinite (JSON has no ∞). */
  readonly logSnr: readonly (number | null)[];
}

/** The schedule a spec and a --scale describe together. */
export function scaledSchedule(spec: string, scale: number): Schedule {
  return withInputScale(parseSchedule(spec), scale);
}

export function sampleSchedule(spec: string, scale: number, t: readonly number[]): ScheduleSample {
  const schedule = scaledSchedule(spec, scale);
  const times = Float64Array.from(t);
  const gamma = Array.from(schedule.gammaArray(times));
  const logSnr = Array.from(schedule.logSnrArray(times), (v) => (Number.isFinite(v) ? v : null));
  return { schedule: spec, scale, t: [...t], gamma, logSnr };
}

/** Parses "0,0.25,0.5" into numbers, each in [0, 1]. */
export function parseTimes(text: string): number[] {
  const parts = text.split(',').map((p) => p.trim());
  const values = parts.map(Number);
  values.forEach((v, i) => {
    if (parts[i] === '' || !(v >= 0 && v <= 1)) {
      throw new RangeError(
        `--t must be comma-separated numbers in [0, 1], got ${JSON.stringify(parts[i])} in ${JSON.stringify(text)}`,
      );
    }
  });
  return values;
}

/** Parses a --scale value: a finite number > 0. */
export function parseScale(text: string): number {
  const value = Number(text);
  if (text.trim() === '' || !(value > 0 && Number.isFinite(value))) {
    throw new RangeError(`--scale must be a number > 0, got ${JSON.stringify(text)}`);
  }
  return value;
}

/** Pairs schedules with scales: one scale for all, or one per schedule. */
export function pairScales(specs: readonly string[], scales: readonly number[]): number[] {
  if (scales.length === 0) return specs.map(() => 1);
  if (scales.length === 1) return specs.map(() => scales[0]!);
  if (scales.length === specs.length) return [...scales];
  throw new RangeError(
    `give one --scale for all schedules or one per --schedule (${specs.length}), got ${scales.length}`,
  );
}
