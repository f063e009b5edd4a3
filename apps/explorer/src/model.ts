/**
 * What the page shows, computed from its inputs by @ns/schedules alone: pure, so the same numbers
 * are tested in Node and drawn in the browser. Every error is the library's own message.
 */
import {
  baseSchedule,
  formatSchedule,
  logSnrDensity,
  parseSchedule,
  type ResolutionAdvice,
  resolutionRules,
  type SamplingGrid,
  type Schedule,
  samplingGrid,
  withInputScale,
} from '@ns/schedules';

export interface ExplorerInputs {
  /** The schedule spec typed or picked (may carry its own +scale). */
  readonly spec: string;
  /** An optional second spec drawn for comparison ('' for none). */
  readonly compare: string;
  /** Input scale b, applied on top of the spec's own. */
  readonly scale: number;
  readonly resolution: number;
  readonly steps: number;
  readonly spacing: string;
}

/** The field an error belongs to, so the page can mark it. */
export type Field = keyof ExplorerInputs;

export interface Curves {
  readonly name: string;
  readonly gamma: Float64Array;
  readonly logSnr: Float64Array;
  readonly density: Float64Array;
}

export interface ExplorerView {
  readonly ok: true;
  /** Canonical spec of the schedule trained, input scale included. */
  readonly spec: string;
  /** The same split as `ns train` takes it: --schedule base --scale b. */
  readonly baseSpec: string;
  readonly scale: number;
  readonly logSnrHalf: number;
  readonly trainCommand: string;
  readonly t: Float64Array;
  readonly logSnrAxis: Float64Array;
  readonly curves: readonly Curves[];
  readonly grid: SamplingGrid & { readonly logSnrNow: Float64Array };
  readonly rules: readonly ResolutionAdvice[];
}

export interface ExplorerError {
  readonly ok: false;
  readonly field: Field;
  readonly error: string;
}

export const POINTS = 401;
/** The logSNR window of the density panel. */
export const DENSITY_RANGE = { min: -15, max: 15, bins: 120 } as const;

export const PRESETS: readonly { readonly spec: string; readonly label: string }[] = [
  { spec: 'simple_linear', label: '1 − t (Chen 2023, Table 1)' },
  { spec: 'cosine@0.2,1,1', label: 'cosine(0.2, 1, 1) (Chen 2023, 512 px)' },
  { spec: 'sigmoid@0,3,0.5', label: 'sigmoid(0, 3, 0.5) (Chen 2023, Table 3)' },
  { spec: 'cosine', label: 'reference cosine (inference)' },
  { spec: 'iddpm_cosine', label: 'improved-DDPM cosine' },
  { spec: 'shifted_cosine@256,64', label: 'simple diffusion, 256 px' },
  { spec: 'edm@-1.2,1.2', label: 'EDM ln σ ~ N(−1.2, 1.2²)' },
  { spec: 'logit_normal@0,1', label: 'SD3 logit-normal(0, 1)' },
  { spec: 'logit_normal@0,1+shift=3', label: 'SD3 logit-normal, shift 3' },
  { spec: 'rectified_flow', label: 'rectified flow, uniform t' },
  { spec: 'laplace@0,0.5', label: 'Laplace(0, 0.5) (Hang et al. 2024)' },
];

export const SPACINGS = ['uniform', 'trailing', 'leading', 'linspace', 'karras'] as const;

const message = (error: unknown): string =>
  error instanceof Error ? error.message : String(error);

function attempt<T>(field: Field, f: () => T): T | ExplorerError {
  try {
    return f();
  } catch (error) {
    return { ok: false, field, error: message(error) };
  }
}

const isError = (value: unknown): value is ExplorerError =>
  typeof value === 'object' && value !== null && (value as { ok?: unknown }).ok === false;

/** The `ns train` line that trains `schedule` (its base spec and total input scale). */
export function trainCommand(schedule: Schedule): string {
  const base = formatSchedule(baseSchedule(schedule));
  return `ns train --preset mnist --data mnist --steps 20000 --out runs/explorer --schedule '${base}' --scale ${schedule.inputScale}`;
}

function curves(name: string, schedule: Schedule, t: Float64Array): Curves {
  return {
    name,
    gamma: schedule.gammaArray(t),
    logSnr: schedule.logSnrArray(t),
    density: logSnrDensity(schedule, DENSITY_RANGE).density,
  };
}

export function computeView(inputs: ExplorerInputs): ExplorerView | ExplorerError {
  const primary = attempt('spec', () => parseSchedule(inputs.spec));
  if (isError(primary)) return primary;
  const schedule = attempt('scale', () => withInputScale(primary, inputs.scale));
  if (isError(schedule)) return schedule;
  const compare =
    inputs.compare.trim() === ''
      ? undefined
      : attempt('compare', () => parseSchedule(inputs.compare));
  if (isError(compare)) return compare;
  const grid = attempt('spacing', () => samplingGrid(schedule, inputs.steps, inputs.spacing));
  if (isError(grid)) {
    // The step count is checked first by the library; name the field it is about.
    return /`steps`/.test(grid.error) ? { ...grid, field: 'steps' } : grid;
  }
  const rules = attempt('resolution', () => resolutionRules(inputs.resolution));
  if (isError(rules)) return rules;

  const t = Float64Array.from({ length: POINTS }, (_, i) => i / (POINTS - 1));
  const width = (DENSITY_RANGE.max - DENSITY_RANGE.min) / DENSITY_RANGE.bins;
  const logSnrAxis = Float64Array.from(
    { length: DENSITY_RANGE.bins },
    (_, i) => DENSITY_RANGE.min + (i + 0.5) * width,
  );
  const spec = formatSchedule(schedule);
  return {
    ok: true,
    spec,
    baseSpec: formatSchedule(baseSchedule(schedule)),
    scale: schedule.inputScale,
    logSnrHalf: schedule.logSnr(0.5),
    trainCommand: trainCommand(schedule),
    t,
    logSnrAxis,
    curves: [
      curves(spec, schedule, t),
      ...(compare === undefined ? [] : [curves(formatSchedule(compare), compare, t)]),
    ],
    grid: { ...grid, logSnrNow: Float64Array.from(grid.tNow, (x) => schedule.logSnr(x)) },
    rules,
  };
}

/** The spec and b that apply a resolution rule here: its spec split into base and input scale. */
export function applyRule(rule: ResolutionAdvice): { spec: string; scale: number } {
  const schedule = parseSchedule(rule.spec);
  return { spec: formatSchedule(baseSchedule(schedule)), scale: schedule.inputScale };
}
