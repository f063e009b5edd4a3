/**
 * The grid file of `ns sweep`: which trials to run (schedules × input scales × resolutions ×
 * seeds), with what budget, and how each is evaluated. Parsing fills every default, so the grid
 * saved in the sweep folder says exactly what was run.
 */
import { parseSchedule } from '@ns/schedules';
import type { TrialKey } from './types.js';

export type Budget =
  /** Every trial trains exactly this many steps: the fair comparison. */
  | { readonly steps: number }
  /**
   * Every trial trains for this many minutes of step time (capped at maxSteps). Depends on the
   * machine and on what else runs; the learning rate has no end to decay towards, so `decay`
   * defaults to 'constant'.
   */
  | { readonly minutes: number; readonly maxSteps: number };

export interface TrainSettings {
  readonly batch: number;
  readonly lr: number;
  readonly warmup: number;
  readonly decay: string;
  readonly optimizer: 'lamb' | 'adamw';
  readonly ema: number;
  readonly selfCondRate: number;
  readonly labelDropout: number;
  readonly checkpointEvery: number;
  readonly flip: boolean;
}

/** The fixed sampler and the distance every trial is measured with. */
export interface EvalSettings {
  /** Generated images per trial. */
  readonly samples: number;
  /** Held-out images the reference statistics are computed from. */
  readonly reference: number;
  readonly sampler: 'ddpm' | 'ddim';
  /** Inference schedule (spec: the paper samples with cosine). */
  readonly schedule: string;
  readonly steps: number;
  readonly seed: number;
  readonly batch: number;
  /** Built-in feature extractor of @ns/eval-fid (e.g. mnist → FD_mnist). */
  readonly features: string;
}

export interface SweepGrid {
  /** Training set (a name of @ns/data, a folder or an .npz), resampled to each resolution. */
  readonly data: string;
  /** Held-out set for the reference statistics, resampled the same way. */
  readonly heldOut: string;
  /** Use only the first `limit` training images (keeps 128×128 copies in memory small). */
  readonly limit?: number;
  readonly preset: string;
  /**
   * RIN fields set on top of the preset (e.g. `{ "interfaceDim": 64 }`); image size, channels and
   * classes always follow the data.
   */
  readonly model: Readonly<Record<string, unknown>>;
  /** Patch size per resolution (default: the preset's), e.g. to keep the token count fixed. */
  readonly patchSize: Readonly<Record<string, number>>;
  readonly resolutions: readonly number[];
  readonly schedules: readonly string[];
  readonly inputScales: readonly number[];
  readonly seeds: readonly number[];
  readonly budget: Budget;
  readonly train: TrainSettings;
  readonly eval: EvalSettings;
}

export interface TrialSpec extends TrialKey {
  /** Folder name under `<sweep>/trials/`, unique in the grid. */
  readonly id: string;
}

export const DEFAULT_TRAIN_SETTINGS: TrainSettings = {
  batch: 64,
  lr: 2e-3,
  warmup: 100,
  decay: 'cosine@0.7',
  optimizer: 'lamb',
  // Sweeps are short: a 0.9999 EMA would still remember the initialisation at the end.
  ema: 0.999,
  selfCondRate: 0.9,
  labelDropout: 0,
  checkpointEvery: 250,
  flip: false,
};

export const DEFAULT_EVAL_SETTINGS: EvalSettings = {
  samples: 1000,
  reference: 2000,
  sampler: 'ddpm',
  schedule: 'cosine',
  steps: 100,
  seed: 0,
  batch: 250,
  features: 'mnist',
};

class GridError extends Error {
  constructor(path: string, message: string) {
    super(`grid: ${path}: ${message}`);
    this.name = 'GridError';
  }
}

type Json = Record<string, unknown>;

function isObject(value: unknown): value is Json {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function object(value: unknown, path: string, allowed: readonly string[]): Json {
  if (!isObject(value)) throw new GridError(path, `expected an object, got ${describe(value)}`);
  for (const key of Object.keys(value)) {
    // A misspelt key would otherwise fall back to a default without a word.
    if (!allowed.includes(key)) {
      throw new GridError(`${path}.${key}`, `unknown key (expected one of ${allowed.join(', ')})`);
    }
  }
  return value;
}

function describe(value: unknown): string {
  return value === undefined ? 'nothing' : JSON.stringify(value);
}

function number(value: unknown, path: string, check: (n: number) => boolean, what: string) {
  if (typeof value !== 'number' || !Number.isFinite(value) || !check(value)) {
    throw new GridError(path, `expected ${what}, got ${describe(value)}`);
  }
  return value;
}

const positiveInt = (v: unknown, path: string) =>
  number(v, path, (n) => Number.isInteger(n) && n >= 1, 'an integer ≥ 1');
const nonNegativeInt = (v: unknown, path: string) =>
  number(v, path, (n) => Number.isInteger(n) && n >= 0, 'an integer ≥ 0');
const positive = (v: unknown, path: string) => number(v, path, (n) => n > 0, 'a number > 0');
const probability = (v: unknown, path: string) =>
  number(v, path, (n) => n >= 0 && n <= 1, 'a number in [0, 1]');

function string(value: unknown, path: string): string {
  if (typeof value !== 'string' || value.length === 0) {
    throw new GridError(path, `expected a non-empty string, got ${describe(value)}`);
  }
  return value;
}

function list<T>(value: unknown, path: string, item: (v: unknown, path: string) => T): T[] {
  if (!Array.isArray(value) || value.length === 0) {
    throw new GridError(path, `expected a non-empty array, got ${describe(value)}`);
  }
  const items = value.map((v, i) => item(v, `${path}[${i}]`));
  const seen = new Set<string>();
  for (const [i, v] of items.entries()) {
    const key = JSON.stringify(v);
    if (seen.has(key)) throw new GridError(`${path}[${i}]`, `${key} is listed twice`);
    seen.add(key);
  }
  return items;
}

function oneOf<T extends string>(value: unknown, path: string, choices: readonly T[]): T {
  if (typeof value !== 'string' || !(choices as readonly string[]).includes(value)) {
    throw new GridError(path, `expected one of ${choices.join(', ')}, got ${describe(value)}`);
  }
  return value as T;
}

function scheduleSpec(value: unknown, path: string): string {
  const spec = string(value, path);
  let inputScale: number;
  try {
    inputScale = parseSchedule(spec).inputScale;
  } catch (error) {
    throw new GridError(path, (error as Error).message);
  }
  // b is an axis of the grid; a +scale in the spec would apply a second, hidden factor.
  if (inputScale !== 1) {
    throw new GridError(path, `${spec} carries +scale; list input scales under inputScales`);
  }
  return spec;
}

function parseBudget(value: unknown): Budget {
  const path = 'budget';
  const o = object(value, path, ['steps', 'minutes', 'maxSteps']);
  if ((o['steps'] === undefined) === (o['minutes'] === undefined)) {
    throw new GridError(path, 'give exactly one of steps or minutes');
  }
  if (o['steps'] !== undefined) {
    if (o['maxSteps'] !== undefined) throw new GridError(`${path}.maxSteps`, 'only with minutes');
    return { steps: positiveInt(o['steps'], `${path}.steps`) };
  }
  return {
    minutes: positive(o['minutes'], `${path}.minutes`),
    maxSteps:
      o['maxSteps'] === undefined ? 1_000_000 : positiveInt(o['maxSteps'], `${path}.maxSteps`),
  };
}

function parseTrain(value: unknown, budget: Budget): TrainSettings {
  const d: TrainSettings = {
    ...DEFAULT_TRAIN_SETTINGS,
    ...('minutes' in budget ? { decay: 'constant' } : {}),
  };
  const o = object(value ?? {}, 'train', Object.keys(d));
  const get = <T>(key: keyof TrainSettings, parse: (v: unknown, path: string) => T): T =>
    o[key] === undefined ? (d[key] as T) : parse(o[key], `train.${key}`);
  return {
    batch: get('batch', positiveInt),
    lr: get('lr', positive),
    warmup: get('warmup', nonNegativeInt),
    decay: get('decay', string),
    optimizer: get('optimizer', (v, p) => oneOf(v, p, ['lamb', 'adamw'] as const)),
    ema: get('ema', probability),
    selfCondRate: get('selfCondRate', probability),
    labelDropout: get('labelDropout', probability),
    checkpointEvery: get('checkpointEvery', positiveInt),
    flip: get('flip', (v, p) => {
      if (typeof v !== 'boolean')
        throw new GridError(p, `expected true or false, got ${describe(v)}`);
      return v;
    }),
  };
}

function parseEval(value: unknown): EvalSettings {
  const d = DEFAULT_EVAL_SETTINGS;
  const o = object(value ?? {}, 'eval', Object.keys(d));
  const get = <T>(key: keyof EvalSettings, parse: (v: unknown, path: string) => T): T =>
    o[key] === undefined ? (d[key] as T) : parse(o[key], `eval.${key}`);
  const settings: EvalSettings = {
    samples: get('samples', positiveInt),
    reference: get('reference', positiveInt),
    sampler: get('sampler', (v, p) => oneOf(v, p, ['ddpm', 'ddim'] as const)),
    schedule: get('schedule', scheduleSpec),
    steps: get('steps', positiveInt),
    seed: get('seed', nonNegativeInt),
    batch: get('batch', positiveInt),
    features: get('features', string),
  };
  // The Fréchet distance needs a covariance estimate: fewer images than this is noise.
  if (settings.samples < 2 || settings.reference < 2) {
    throw new GridError('eval', 'samples and reference need at least 2 images each');
  }
  return settings;
}

/** Fields the data decides: a grid may not set them. */
const DATA_FIELDS = ['imageSize', 'channels', 'numClasses', 'patchSize'];

function parseModelOverrides(value: unknown): Record<string, unknown> {
  if (value === undefined) return {};
  if (!isObject(value)) throw new GridError('model', `expected an object, got ${describe(value)}`);
  for (const key of Object.keys(value)) {
    if (DATA_FIELDS.includes(key)) {
      throw new GridError(
        `model.${key}`,
        key === 'patchSize' ? 'set it per resolution under patchSize' : 'follows the data',
      );
    }
  }
  // The full check (known fields, ranges, divisibility) happens per trial with parseRinConfig.
  return { ...value };
}

const GRID_KEYS = [
  '$schema',
  'description',
  'data',
  'heldOut',
  'limit',
  'preset',
  'model',
  'patchSize',
  'resolutions',
  'schedules',
  'inputScales',
  'seeds',
  'budget',
  'train',
  'eval',
] as const;

/** Validates a parsed grid.json and fills the defaults; errors name the offending key. */
export function parseGrid(value: unknown): SweepGrid {
  const o = object(value, 'grid', GRID_KEYS);
  const resolutions = list(o['resolutions'], 'resolutions', positiveInt).sort((a, b) => a - b);
  const patchSize: Record<string, number> = {};
  if (o['patchSize'] !== undefined) {
    const given = object(
      o['patchSize'],
      'patchSize',
      resolutions.map((r) => String(r)),
    );
    for (const [resolution, patch] of Object.entries(given)) {
      const p = positiveInt(patch, `patchSize.${resolution}`);
      if (Number(resolution) % p !== 0) {
        throw new GridError(`patchSize.${resolution}`, `${p} does not divide ${resolution}`);
      }
      patchSize[resolution] = p;
    }
  }
  const budget = parseBudget(o['budget']);
  return {
    data: string(o['data'], 'data'),
    heldOut: string(o['heldOut'], 'heldOut'),
    ...(o['limit'] === undefined ? {} : { limit: positiveInt(o['limit'], 'limit') }),
    preset: string(o['preset'], 'preset'),
    model: parseModelOverrides(o['model']),
    patchSize,
    resolutions,
    schedules: list(o['schedules'] ?? ['simple_linear'], 'schedules', scheduleSpec),
    inputScales: list(o['inputScales'] ?? [1], 'inputScales', positive).sort((a, b) => a - b),
    seeds: list(o['seeds'] ?? [0], 'seeds', nonNegativeInt),
    budget,
    train: parseTrain(o['train'], budget),
    eval: parseEval(o['eval']),
  };
}

/** Characters a spec may contain that do not belong in a folder name. */
export function slug(spec: string): string {
  return spec.replace(/[^A-Za-z0-9.-]+/g, '_');
}

export function trialId(key: TrialKey): string {
  return `r${key.resolution}-${slug(key.schedule)}-b${key.inputScale}-s${key.seed}`;
}

/**
 * Every cell of the grid, seed-major (every cell once before any is repeated, so a sweep stopped
 * half-way already has a complete table), then resolution, schedule and input scale: the order
 * trials start in.
 */
export function expandTrials(grid: SweepGrid): TrialSpec[] {
  const trials: TrialSpec[] = [];
  const ids = new Map<string, string>();
  for (const seed of grid.seeds)
    for (const resolution of grid.resolutions)
      for (const schedule of grid.schedules)
        for (const inputScale of grid.inputScales) {
          const key = { resolution, schedule, inputScale, seed };
          const id = trialId(key);
          const clash = ids.get(id);
          if (clash !== undefined) {
            throw new GridError(
              'schedules',
              `${JSON.stringify(schedule)} and ${JSON.stringify(clash)} give the same folder name ${id}`,
            );
          }
          ids.set(id, schedule);
          trials.push({ id, ...key });
        }
  return trials;
}

/** The training steps the learning-rate schedule of a trial is laid out over. */
export function plannedSteps(budget: Budget): number {
  return 'steps' in budget ? budget.steps : budget.maxSteps;
}
