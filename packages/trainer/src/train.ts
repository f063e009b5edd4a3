/**
 * The training loop: one onnxruntime-node session runs forward, loss, backward, the optimizer and
 * the EMA update as a single graph (@ns/graph); this module feeds it batches and the step's random
 * draws, logs metrics, and checkpoints atomically. `train` is an async generator of step records.
 */
import { appendFile, mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  adamw,
  buildEvalGraph,
  buildTrainingGraph,
  type Device,
  initialState,
  lamb,
  ort,
  type ParamArray,
  Params,
  serialize,
  Trainer,
  type TrainingSpec,
} from '@ns/graph';
import { parseSchedule } from '@ns/schedules';
import { writeFileAtomic } from './atomic.js';
import { checkpointDir, loadLatestCheckpoint, saveCheckpoint } from './checkpoint.js';
import { type TrainConfig, validateTrainConfig } from './config.js';
import { learningRate } from './lr.js';
import type { DiffusionNet } from './net.js';
import { denoiserModel, trainingObjective } from './objective.js';
import { drawStepInputs } from './step-inputs.js';

/** A source of training batches whose position can be saved and restored (see @ns/data). */
export interface BatchSource {
  /** The next batch: uint8 images NHWC (`batch` of them) and class ids when labelled. */
  next(): { readonly images: Uint8Array; readonly labels?: Int32Array | undefined };
  /** JSON-serialisable position (epoch, index, RNG state). */
  state(): unknown;
  restore(state: unknown): void;
}

export interface TrainOptions {
  readonly runDir: string;
  readonly net: DiffusionNet;
  readonly config: TrainConfig;
  readonly data: BatchSource;
  /** Continue from the run's latest checkpoint (the config must match the saved one). */
  readonly resume?: boolean;
  readonly device?: Device;
  readonly threads?: number;
  /** Stop after the current step, checkpoint, and end (Ctrl-C). */
  readonly signal?: AbortSignal;
  /** Stop after this step even if config.steps is larger (tests, time budgets). */
  readonly stopAfter?: number;
  /**
   * Start a new run from these weights instead of the seeded initialisation (fine-tuning a shipped
   * checkpoint). Every parameter must be present with its shape; the EMA starts from them too.
   */
  readonly initialWeights?: ReadonlyMap<string, ParamArray>;
}

export interface StepRecord {
  readonly step: number;
  readonly loss: number;
  readonly lr: number;
  /** Global gradient norm before clipping. */
  readonly gradNorm: number;
  /** Seconds for this update. */
  readonly stepTime: number;
  readonly imagesPerSecond: number;
  /** Set when this step wrote a checkpoint. */
  readonly checkpoint?: string;
}

/**
 * Clipping at float32's largest value is no clipping at all, yet makes the graph output the global
 * gradient norm, which metrics.jsonl records.
 */
const NO_CLIP = 3e38;

function trainingSpec(net: DiffusionNet, config: TrainConfig): TrainingSpec {
  const optimizerOptions = {
    beta1: config.beta1,
    beta2: config.beta2,
    weightDecay: config.weightDecay,
  };
  return {
    model: trainingObjective(net, { inputScale: config.inputScale }),
    params: new Params({ seed: config.seed, dtype: 'float32' }),
    optimizer: config.optimizer === 'lamb' ? lamb(optimizerOptions) : adamw(optimizerOptions),
    clipNorm: config.clipNorm ?? NO_CLIP,
    emaDecay: config.emaDecay,
    emaWarmup: config.emaWarmup ?? false,
    config,
  };
}

async function prepareRunDir(runDir: string, config: TrainConfig, resume: boolean): Promise<void> {
  await mkdir(runDir, { recursive: true });
  const path = join(runDir, 'config.json');
  const text = `${JSON.stringify(config, null, 2)}\n`;
  if (resume) {
    let saved: string;
    try {
      saved = await readFile(path, 'utf8');
    } catch {
      throw new Error(`cannot resume: ${path} does not exist`);
    }
    const { steps: _a, ...savedRest } = JSON.parse(saved) as TrainConfig;
    const { steps: _b, ...rest } = config;
    if (JSON.stringify(savedRest) !== JSON.stringify(rest)) {
      throw new Error(
        `cannot resume ${runDir}: its config.json differs from this run's configuration (only steps may change)`,
      );
    }
  }
  await writeFileAtomic(path, text);
}

/** Keeps metrics.jsonl consistent with a resumed checkpoint: drops records after its step. */
async function truncateMetrics(path: string, step: number): Promise<void> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch {
    return;
  }
  const kept = text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .filter((line) => (JSON.parse(line) as { step: number }).step <= step);
  await writeFileAtomic(path, kept.map((l) => `${l}\n`).join(''));
}

export async function* train(options: TrainOptions): AsyncGenerator<StepRecord, void, undefined> {
  const { runDir, net, data } = options;
  const config = validateTrainConfig(options.config);
  const resume = options.resume ?? false;
  await prepareRunDir(runDir, config, resume);
  const schedule = parseSchedule(config.schedule);

  const spec = trainingSpec(net, config);
  const graph = buildTrainingGraph(spec); // declares every parameter in spec.params
  const model = serialize(graph).model;
  await writeFileAtomic(join(runDir, 'training_model.onnx'), model);
  const names = spec.params.list().map((p) => p.name);
  const shapes = new Map(spec.params.list().map((p) => [p.name, p.shape] as const));

  if (options.initialWeights && !resume) {
    const missing = names.filter((n) => !options.initialWeights!.has(n));
    if (missing.length > 0) {
      throw new Error(
        `initial weights lack ${missing.length} parameters of this model (e.g. ${missing.slice(0, 3).join(', ')}); were they trained with the same preset and data geometry?`,
      );
    }
    for (const name of names) spec.params.set(name, options.initialWeights.get(name)!);
  }
  let state = initialState(spec, names);
  const checkpoint = resume ? await loadLatestCheckpoint(runDir) : undefined;
  if (resume && checkpoint === undefined)
    throw new Error(`cannot resume ${runDir}: it has no checkpoint yet`);
  if (checkpoint) {
    for (const [name, value] of checkpoint.params) spec.params.set(name, value);
    state = {
      step: checkpoint.step,
      slots: new Map(checkpoint.slots),
      ema: new Map(checkpoint.ema),
    };
    data.restore(checkpoint.extra['data']);
  }
  const metricsPath = join(runDir, 'metrics.jsonl');
  if (resume) await truncateMetrics(metricsPath, state.step);
  else await writeFile(metricsPath, '');

  const params = new Map(
    names.map((n) => [n, { shape: shapes.get(n)!, value: spec.params.value(n) }]),
  );
  const trainer = await Trainer.create(
    model,
    { dtype: 'float32', params, state },
    {
      device: options.device ?? 'cpu',
      ...(options.threads === undefined ? {} : { threads: options.threads }),
    },
  );
  const lrSchedule = {
    base: config.lr,
    warmupSteps: config.warmupSteps,
    totalSteps: config.steps,
    decay: config.lrDecay,
  };
  const image = [config.batch, net.imageSize, net.imageSize, net.channels];
  const latentsZero = new ort.Tensor(
    'float32',
    new Float32Array(config.batch * net.latentShape.reduce((a, d) => a * d, 1)),
    [config.batch, ...net.latentShape],
  );

  const save = async (): Promise<string> => {
    const snapshot = trainer.snapshot();
    return saveCheckpoint(runDir, {
      step: trainer.step,
      params: snapshot.params,
      slots: snapshot.state.slots,
      ema: snapshot.state.ema,
      shapes,
      extra: { data: data.state() },
    });
  };

  const lastStep = Math.min(config.steps, options.stopAfter ?? config.steps);
  try {
    while (trainer.step < lastStep) {
      const step = trainer.step + 1;
      const started = performance.now();
      const batch = data.next();
      if (batch.images.length !== image.reduce((a, d) => a * d, 1)) {
        throw new RangeError(
          `data batch has ${batch.images.length} bytes, expected ${image.join('×')}`,
        );
      }
      const draws = drawStepInputs(net, {
        seed: config.seed,
        step,
        batch: config.batch,
        schedule,
        selfCondRate: config.selfCondRate,
        labelDropout: config.labelDropout,
      });
      const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {
        images: new ort.Tensor(
          'float32',
          Float32Array.from(batch.images, (v) => v / 255),
          image,
        ),
        labels: new ort.Tensor(
          'int64',
          BigInt64Array.from(batch.labels ?? new Int32Array(config.batch), BigInt),
          [config.batch],
        ),
        latentsZero,
      };
      for (const name of trainer.dataInputs) {
        if (name in feeds) continue;
        const drawn = draws.feeds[name];
        if (drawn === undefined) throw new Error(`no value for training input '${name}'`);
        const { data: value, shape } = drawn;
        feeds[name] =
          value instanceof Uint8Array
            ? new ort.Tensor('bool', value, [...shape])
            : new ort.Tensor('float32', value, [...shape]);
      }
      const lr = learningRate(lrSchedule, step);
      const result = await trainer.run(feeds, lr);
      const stepTime = (performance.now() - started) / 1000;
      const gradNorm = Number(result.outputs['grad_norm']?.data[0] ?? Number.NaN);
      if (!Number.isFinite(result.loss)) {
        throw new Error(
          `loss became ${result.loss} at step ${step}; the last checkpoint is intact (lower --lr?)`,
        );
      }
      let record: StepRecord = {
        step,
        loss: result.loss,
        lr,
        gradNorm,
        stepTime,
        imagesPerSecond: config.batch / stepTime,
      };
      const stopping = options.signal?.aborted === true || step === lastStep;
      const checkpointing = step % config.checkpointEvery === 0 || stopping;
      if (checkpointing) record = { ...record, checkpoint: checkpointDir(runDir, step) };
      // The line goes first: a crash before the checkpoint is complete leaves a line past the
      // previous checkpoint, which resuming drops; the other order would lose this step's line.
      await appendMetrics(metricsPath, record);
      if (checkpointing) await save();
      yield record;
      if (options.signal?.aborted) {
        // Aborted while the caller handled this record: make sure this step is saved.
        if (record.checkpoint === undefined) await save();
        break;
      }
    }
  } finally {
    await trainer.release();
  }
}

async function appendMetrics(path: string, record: StepRecord): Promise<void> {
  await appendFile(path, `${JSON.stringify({ ...record, time: new Date().toISOString() })}\n`);
}

/** Writes eval_model.onnx with the given weights (the EMA by default) frozen in as initializers. */
export async function exportEvalModel(
  path: string,
  net: DiffusionNet,
  config: TrainConfig,
  weights: ReadonlyMap<string, ParamArray>,
): Promise<void> {
  // A first build declares every parameter (shapes, names) so the weights can be bound to them.
  const declared = new Params({ seed: config.seed, dtype: 'float32' });
  buildEvalGraph(denoiserModel(net), declared);
  const graph = buildEvalGraph(denoiserModel(net), declared.withValues(weights));
  const { model, externalData } = serialize(graph, {
    externalDataFile: `${path.split('/').pop()}.data`,
  });
  if (externalData) await writeFileAtomic(join(path, '..', externalData.file), externalData.bytes);
  await writeFileAtomic(path, model);
}
