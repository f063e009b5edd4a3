/**
 * The grid file of `ns sweep`: which trials to run (schedules × input scales × resolutions ×
 * seeds), with what budget, and how each is evaluated. Parsing fills every default, so the grid
 * saved in the sweep folder says exactly what was run.
 */
import { SAMPLER_NAMES, type SamplerName } from '@ns/sampler';
import { parseSchedule } from '@ns/schedules';
import { parseDecay, parseWeighting, parseWith, TrainerError } from '@ns/trainer';
import { z } from 'zod';
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
  /** Loss weighting spec (@ns/trainer's --weighting; default eps). */
  readonly weighting?: string;
}

/** The fixed sampler and the distance every trial is measured with. */
export interface EvalSettings {
  /** Generated images per trial. */
  readonly samples: number;
  /** Held-out images the reference statistics are computed from. */
  readonly reference: number;
  readonly sampler: SamplerName;
  /** Inference schedule (spec: the paper samples with cosine). */
  readonly schedule: string;
  readonly steps: number;
  readonly seed: number;
  readonly batch: number;
  /** Built-in feature extractor of @ns/eval-fid (e.g. mnist → FD_mnist). */
  readonly features: string;
  /**
   * Sampling jobs a trial's evaluation is split into on a queue (`ns sweep --queue`): each draws
   * whole batches and writes its feature moments, a parent merges them. The local pool ignores it.
   */
  readonly shards: number;
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
  shards: 1,
};

const int = (min: number) => z.int(`an integer >= ${min}`).min(min, `an integer >= ${min}`);
const positive = z.number('a number > 0').positive('a number > 0');
const probability = z
  .number('a number in [0, 1]')
  .min(0, 'a number in [0, 1]')
  .max(1, 'a number in [0, 1]');
/** An EMA decay: 1 would never move from the initial weights (the trainer refuses it too). */
const decay = z
  .number('a number in [0, 1)')
  .min(0, 'a number in [0, 1)')
  .lt(1, 'a number in [0, 1)');
const name = z.string('a non-empty string').min(1, 'a non-empty string');

/** A non-empty list without repeats (a repeated value would be a duplicate trial). */
function uniqueList<T extends z.ZodType>(item: T) {
  return z
    .array(item, 'a non-empty array')
    .min(1, 'a non-empty array')
    .superRefine((values, ctx) => {
      const seen = new Set<string>();
      values.forEach((v, i) => {
        const key = JSON.stringify(v);
        if (seen.has(key))
          ctx.addIssue({ code: 'custom', path: [i], message: `${key} is listed twice` });
        seen.add(key);
      });
    });
}

/** A string that `parse` accepts, checked when the grid is read rather than when a trial starts. */
const parsedBy = (parse: (text: string) => unknown) =>
  name.superRefine((text, ctx) => {
    try {
      parse(text);
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: (error as Error).message });
    }
  });

/** A schedule spec without +scale: b is an axis of the grid, a +scale would be a hidden second factor. */
const scheduleSpec = name.superRefine((spec, ctx) => {
  try {
    if (parseSchedule(spec).inputScale !== 1)
      ctx.addIssue({
        code: 'custom',
        message: `${spec} carries +scale; list input scales under inputScales`,
      });
  } catch (error) {
    ctx.addIssue({ code: 'custom', message: (error as Error).message });
  }
});

const budgetSchema = z
  .object({ steps: int(1).optional(), minutes: positive.optional(), maxSteps: int(1).optional() })
  .strict()
  .superRefine((b, ctx) => {
    if ((b.steps === undefined) === (b.minutes === undefined))
      ctx.addIssue({ code: 'custom', message: 'give exactly one of steps or minutes' });
    else if (b.steps !== undefined && b.maxSteps !== undefined)
      ctx.addIssue({ code: 'custom', path: ['maxSteps'], message: 'only with minutes' });
  })
  .transform(
    (b): Budget =>
      b.steps !== undefined
        ? { steps: b.steps }
        : { minutes: b.minutes!, maxSteps: b.maxSteps ?? 1_000_000 },
  );

const trainSchema = z
  .object({
    batch: int(1),
    lr: positive,
    warmup: int(0),
    decay: parsedBy(parseDecay),
    optimizer: z.enum(['lamb', 'adamw'], 'one of lamb, adamw'),
    ema: decay,
    selfCondRate: probability,
    labelDropout: probability,
    checkpointEvery: int(1),
    flip: z.boolean('true or false'),
    weighting: parsedBy(parseWeighting),
  })
  .partial()
  .strict();

const evalSchema = z
  .object({
    samples: int(2),
    reference: int(2),
    sampler: z.enum(
      SAMPLER_NAMES as [SamplerName, ...SamplerName[]],
      `one of ${SAMPLER_NAMES.join(', ')}`,
    ),
    schedule: scheduleSpec,
    steps: int(1),
    seed: int(0),
    batch: int(1),
    features: name,
    shards: int(1),
  })
  .partial()
  .strict();

/** Fields the data decides: a grid may not set them. */
const DATA_FIELDS: Readonly<Record<string, string>> = {
  imageSize: 'follows the data',
  channels: 'follows the data',
  numClasses: 'follows the data',
  patchSize: 'set it per resolution under patchSize',
};

const modelSchema = z.record(z.string(), z.unknown(), 'an object').superRefine((model, ctx) => {
  for (const key of Object.keys(model))
    if (key in DATA_FIELDS)
      ctx.addIssue({ code: 'custom', path: [key], message: DATA_FIELDS[key]! });
  // The full check (known fields, ranges, divisibility) happens per trial with parseRinConfig.
});

const gridSchema = z
  .object(
    {
      $schema: z.string().optional(),
      description: z.string().optional(),
      data: name,
      heldOut: name,
      limit: int(1).optional(),
      preset: name,
      model: modelSchema.optional(),
      patchSize: z.record(z.string(), int(1), 'an object').optional(),
      resolutions: uniqueList(int(1)),
      schedules: uniqueList(scheduleSpec).optional(),
      inputScales: uniqueList(positive).optional(),
      seeds: uniqueList(int(0)).optional(),
      budget: budgetSchema,
      train: trainSchema.optional(),
      eval: evalSchema.optional(),
    },
    'an object',
  )
  .strict()
  .superRefine((g, ctx) => {
    for (const [resolution, patch] of Object.entries(g.patchSize ?? {})) {
      if (!g.resolutions.includes(Number(resolution)))
        ctx.addIssue({
          code: 'custom',
          path: ['patchSize', resolution],
          message: `${resolution} is not one of the resolutions (${[...g.resolutions].sort((a, b) => a - b).join(', ')})`,
        });
      else if (Number(resolution) % patch !== 0)
        ctx.addIssue({
          code: 'custom',
          path: ['patchSize', resolution],
          message: `${patch} does not divide ${resolution}`,
        });
    }
    // A shard draws whole batches (so its images are the unsharded run's): one batch at least.
    const e = { ...DEFAULT_EVAL_SETTINGS, ...g.eval };
    const batches = Math.ceil(e.samples / e.batch);
    if (e.shards > batches)
      ctx.addIssue({
        code: 'custom',
        path: ['eval', 'shards'],
        message: `${e.shards} shards of ${batches} batch${batches === 1 ? '' : 'es'} (eval.samples ${e.samples} / eval.batch ${e.batch}): at most ${batches}`,
      });
  });

/** Validates a parsed grid.json and fills the defaults; errors name the offending key. */
export function parseGrid(value: unknown, source = 'grid'): SweepGrid {
  const g = parseWith(gridSchema, value, source);
  // Minutes budgets have no end for the learning rate to decay towards: constant by default.
  const train: TrainSettings = {
    ...DEFAULT_TRAIN_SETTINGS,
    ...('minutes' in g.budget ? { decay: 'constant' } : {}),
    ...g.train,
  };
  return {
    data: g.data,
    heldOut: g.heldOut,
    ...(g.limit === undefined ? {} : { limit: g.limit }),
    preset: g.preset,
    model: { ...(g.model ?? {}) },
    patchSize: { ...(g.patchSize ?? {}) },
    resolutions: [...g.resolutions].sort((a, b) => a - b),
    schedules: g.schedules ?? ['simple_linear'],
    inputScales: [...(g.inputScales ?? [1])].sort((a, b) => a - b),
    seeds: g.seeds ?? [0],
    budget: g.budget,
    train,
    eval: { ...DEFAULT_EVAL_SETTINGS, ...g.eval },
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
            throw new TrainerError(
              'invalid_config',
              `grid: schedules: ${JSON.stringify(schedule)} and ${JSON.stringify(clash)} give the same folder name ${id}`,
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
