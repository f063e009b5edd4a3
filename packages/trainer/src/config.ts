/**
 * A run's configuration, config.json: the only source of truth of a run. Every knob of
 * Algorithm 2, the network and the data it was made from, and the layout version, validated by one
 * zod schema. The network is derived from `model` (never passed beside it), so the two cannot
 * disagree.
 */
import { type RinConfig, safeParseRinConfig } from '@ns/rin';
import { parseSchedule } from '@ns/schedules';
import { z } from 'zod';
import packageJson from '../package.json';
import { parseDecay } from './lr.js';
import { mlpOptionsSchema } from './mlp-denoiser.js';
import { parseWith } from './validation.js';
import { parseWeighting } from './weighting.js';

/**
 * The run-folder layout this trainer writes and opens. 1 was the layout before the run owned its
 * artifacts (no `format` key); 2 adds training_model.onnx and eval_model.onnx written once at
 * creation, checkpoints bound to eval_model.onnx as external data, and lock.json.
 */
export const RUN_FORMAT = 2;
export const TRAINER_VERSION: string = packageJson.version;

/** float32's largest finite value: rates and norms beyond it cannot be fed to the graph. */
export const FLOAT32_MAX = 3.4028234663852886e38;

const int = (min: number) => z.int(`an integer >= ${min}`).min(min, `an integer >= ${min}`);
const unit = (what: string, max: 'open' | 'closed') =>
  max === 'open'
    ? z.number(`${what} in [0, 1)`).min(0, `${what} in [0, 1)`).lt(1, `${what} in [0, 1)`)
    : z.number(`${what} in [0, 1]`).min(0, `${what} in [0, 1]`).max(1, `${what} in [0, 1]`);
const positive = (what: string) =>
  z
    .number(`${what} > 0`)
    .positive(`${what} > 0`)
    .max(FLOAT32_MAX, `${what} <= 3.4e38 (float32's largest value)`);

/** A value some parser accepts; its own error text becomes the issue's message. */
const parsedBy = (parse: (text: string) => unknown, what: string) =>
  z.string(what).superRefine((text, ctx) => {
    try {
      parse(text);
    } catch (e) {
      ctx.addIssue({ code: 'custom', message: e instanceof Error ? e.message : String(e) });
    }
  });

/** The knobs of Algorithm 2 and the run's bookkeeping, as `ns train` flags set them. */
export const trainConfigSchema = z.object({
  seed: int(0),
  batch: int(1),
  /** Total number of updates (the learning-rate schedule is laid out over these). */
  steps: int(1),
  /** Training schedule spec (any @ns/schedules spec, e.g. `simple_linear`, `sigmoid@-3,3,0.9`). */
  schedule: parsedBy(parseSchedule, 'a schedule spec'),
  /** Input scale b (Chen 2023 §2): x0 ∈ [−b, b]. */
  inputScale: positive('a number'),
  optimizer: z.enum(['lamb', 'adamw'], "'lamb' or 'adamw'"),
  lr: positive('a learning rate'),
  warmupSteps: int(0),
  lrDecay: parsedBy(parseDecay, "'constant' or 'cosine@r'"),
  weightDecay: z.number('a number >= 0').min(0, 'a number >= 0'),
  beta1: unit('a number', 'open'),
  beta2: unit('a number', 'open'),
  /** Global-norm clipping; absent = none (as the reference, whose LAMB ignores it). */
  clipNorm: positive('a norm').optional(),
  emaDecay: unit('a decay', 'open'),
  /** Warm the EMA decay up as min(emaDecay, (1 + k)/(10 + k)) at update k. */
  emaWarmup: z.boolean('true or false'),
  selfCondRate: unit('a probability', 'closed'),
  labelDropout: unit('a probability', 'closed'),
  checkpointEvery: int(1),
  /** Loss weighting over the noise level: eps (none), min_snr@g, sigmoid@b, edm[@σ_data]. */
  weighting: parsedBy(parseWeighting, 'a loss weighting').default('eps'),
});

export type TrainConfig = z.output<typeof trainConfigSchema>;

const rinSchema = z.custom<RinConfig>().superRefine((value, ctx) => {
  const result = safeParseRinConfig(value);
  if (result.success) return;
  for (const issue of result.issues) {
    ctx.addIssue({
      code: 'custom',
      path: issue.path === '' ? [] : issue.path.split('.'),
      message: `expected ${issue.expected}`,
    });
  }
});

/** The network a run trains: a RIN (from a preset, adapted to the data) or the small test MLP. */
export const modelConfigSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('rin'), preset: z.string().optional(), rin: rinSchema }).strict(),
  z.object({ kind: z.literal('mlp'), mlp: mlpOptionsSchema }).strict(),
]);
export type ModelConfig = z.output<typeof modelConfigSchema>;

/** Where the training images came from, for the record and for `--resume` to load them again. */
export const dataConfigSchema = z
  .object({
    /** A built-in data set name, a folder of images or an ADM .npz. */
    name: z.string().min(1),
    count: int(1),
    licence: z.string(),
    flip: z.boolean(),
    /** Side length the images were resampled to (image folders, resolution sweeps). */
    size: int(1).optional(),
    /** Only the first `limit` images. */
    limit: int(1).optional(),
  })
  .strict();
export type DataConfig = z.output<typeof dataConfigSchema>;

export const runConfigSchema = trainConfigSchema
  .extend({
    format: z.literal(RUN_FORMAT),
    /** `@ns/trainer@<version>` that created the run. */
    createdBy: z.string(),
    model: modelConfigSchema,
    data: dataConfigSchema,
  })
  .strict();
export type RunConfig = z.output<typeof runConfigSchema>;

/** What a caller gives `createRun`: the config without the bookkeeping the trainer fills in. */
export type NewRunConfig = Omit<RunConfig, 'format' | 'createdBy'>;

/** The paper's settings (Table 2, §3.7) scaled to small runs. */
export const DEFAULT_TRAIN_CONFIG: Omit<TrainConfig, 'steps' | 'batch'> = {
  seed: 0,
  schedule: 'simple_linear',
  inputScale: 1,
  optimizer: 'lamb',
  lr: 2e-3,
  warmupSteps: 0,
  lrDecay: 'cosine@0.7',
  weightDecay: 0.01,
  beta1: 0.9,
  beta2: 0.999,
  emaDecay: 0.9999,
  emaWarmup: true,
  selfCondRate: 0.9,
  labelDropout: 0,
  checkpointEvery: 500,
  weighting: 'eps',
};

/** Validates a run configuration (e.g. read back from config.json); `source` names it in errors. */
export function parseRunConfig(json: unknown, source = 'config'): RunConfig {
  return parseWith(runConfigSchema, json, source);
}

/** Validates the training knobs alone. */
export function parseTrainConfig(json: unknown, source = 'config'): TrainConfig {
  return parseWith(trainConfigSchema.strict(), json, source);
}

/** Fills the bookkeeping of a new run and validates the result. */
export function completeRunConfig(config: NewRunConfig, source = 'config'): RunConfig {
  return parseRunConfig(
    { ...config, format: RUN_FORMAT, createdBy: `@ns/trainer@${TRAINER_VERSION}` },
    source,
  );
}
