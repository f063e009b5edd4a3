/**
 * The training loop of a run: one onnxruntime session over training_model.onnx (a StepSession)
 * runs forward, loss, backward, the optimizer and the EMA update as one graph; this loop feeds it
 * batches and the step's random draws, logs metrics, and checkpoints atomically. It continues
 * from the latest intact checkpoint, so resuming equals never having stopped.
 */
import type { Device } from '@ns/graph';
import { ort } from '@ns/graph';
import { parseSchedule } from '@ns/schedules';
import { TrainerError } from '../errors.js';
import { learningRate, parseDecay } from '../lr.js';
import { drawStepInputs } from '../step-inputs.js';
import { type Feed, StepSession, stackSteps } from '../step-session.js';
import { type BatchSource, batchesFor } from './batches.js';
import { checkpointName, runPath } from './layout.js';
import type { RunLock } from './lock.js';
import { appendMetrics, reconcileMetrics } from './metrics.js';
import type { Run } from './run.js';

export interface TrainRunOptions {
  /** Training batches (default: the data set named in the config, loaded with @ns/data). */
  readonly data?: BatchSource;
  readonly device?: Device;
  readonly threads?: number;
  /** ORT intra-op thread spinning (default ORT's: on). */
  readonly spinning?: boolean;
  /** Stop after the current step, checkpoint, and end (Ctrl-C, SIGTERM, a time budget). */
  readonly signal?: AbortSignal;
  /** Stop after this step even if config.steps is larger (tests, budgets). */
  readonly stopAfter?: number;
  /** Continue from this checkpoint (e.g. `step-00001000`) instead of the one LATEST names. */
  readonly fromCheckpoint?: string;
  /**
   * Updates per session run (default 1): above 1 the run's Loop artifact makes that many steps
   * per run, so on a GPU the parameters, moments and EMA cross the bus once per K steps. Results
   * are equal bit for bit.
   */
  readonly stepsPerRun?: number;
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
  /** Set when this step wrote a checkpoint: its folder. */
  readonly checkpoint?: string;
}

export async function* trainRun(
  run: Run,
  lock: RunLock,
  options: TrainRunOptions,
  onNotice: (message: string) => void,
): AsyncGenerator<StepRecord, void, undefined> {
  const { config, manifest, dir } = run;
  const checkpoint = await run.loadCheckpoint(
    options.fromCheckpoint === undefined ? {} : { requested: options.fromCheckpoint },
  );
  if (checkpoint === undefined) {
    throw new TrainerError('no_checkpoint', `${dir} has no checkpoint to train from`, {
      path: dir,
    });
  }
  const data = options.data ?? batchesFor(config);
  if (checkpoint.extra['data'] !== undefined) data.restore(checkpoint.extra['data']);
  const metricsPath = runPath(dir, 'metrics');
  await reconcileMetrics(metricsPath, checkpoint.step, onNotice);

  const schedule = parseSchedule(config.schedule);
  const shapes = run.shapes.params;
  const stepsPerRun = options.stepsPerRun ?? 1;
  if (!(Number.isInteger(stepsPerRun) && stepsPerRun >= 1))
    throw new TrainerError(
      'invalid_argument',
      `--steps-per-run must be an integer >= 1, got ${stepsPerRun}`,
    );
  const session = await StepSession.create(
    runPath(dir, stepsPerRun === 1 ? 'trainingModel' : 'trainingLoopModel'),
    {
      dtype: 'float32',
      params: new Map(
        [...checkpoint.params].map(([n, value]) => [n, { shape: shapes.get(n)!, value }] as const),
      ),
      state: {
        step: checkpoint.step,
        slots: new Map(checkpoint.slots),
        ema: new Map(checkpoint.ema),
      },
    },
    {
      device: options.device ?? 'cpu',
      ...(options.threads === undefined ? {} : { threads: options.threads }),
      ...(options.spinning === undefined ? {} : { spinning: options.spinning }),
    },
  );
  const lrSchedule = {
    base: config.lr,
    warmupSteps: config.warmupSteps,
    totalSteps: config.steps,
    decay: parseDecay(config.lrDecay),
  };
  const { imageSize, channels } = manifest.stepInputs;
  const image = [config.batch, imageSize, imageSize, channels];
  const imageSize4 = image.reduce((a, d) => a * d, 1);
  const latentsZero = new ort.Tensor(
    'float32',
    new Float32Array(config.batch * manifest.latentShape.reduce((a, d) => a * d, 1)),
    [config.batch, ...manifest.latentShape],
  );
  let lastCheckpoint = checkpoint.ref.name;
  const isSaved = async (step: number) => lastCheckpoint === checkpointName(step);
  const save = async (): Promise<string> => {
    const snapshot = session.snapshot();
    const ref = await run.saveCheckpointOf({
      step: session.step,
      params: snapshot.params,
      slots: snapshot.state.slots,
      ema: snapshot.state.ema,
      extra: { data: data.state() },
    });
    lastCheckpoint = ref.name;
    return ref.dir;
  };

  /** The feeds of update `step`: the next batch and the step's seeded draws. */
  const stepFeeds = (step: number): Record<string, Feed> => {
    const batch = data.next();
    if (batch.images.length !== imageSize4) {
      throw new TrainerError(
        'invalid_argument',
        `data batch has ${batch.images.length} bytes, expected ${image.join('×')}`,
      );
    }
    const draws = drawStepInputs(manifest.stepInputs, {
      seed: config.seed,
      step,
      batch: config.batch,
      schedule,
      selfCondRate: config.selfCondRate,
      labelDropout: config.labelDropout,
    });
    const feeds: Record<string, Feed> = {
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
    for (const name of session.dataInputs) {
      if (name in feeds) continue;
      const drawn = draws.feeds[name];
      if (drawn === undefined) throw new Error(`no value for training input '${name}'`);
      const { data: value, shape } = drawn;
      feeds[name] =
        value instanceof Uint8Array
          ? new ort.Tensor('bool', value, [...shape])
          : new ort.Tensor('float32', value, [...shape]);
    }
    return feeds;
  };

  /** Runs updates first … last (one session run, or K with the Loop artifact): loss, grad norm of each. */
  const runChunk = async (first: number, last: number) => {
    const steps = Array.from({ length: last - first + 1 }, (_, i) => first + i);
    const lrs = steps.map((k) => learningRate(lrSchedule, k));
    if (session.stepsPerRun === 1) {
      const result = await session.run(stepFeeds(first), lrs[0]!);
      return [
        {
          loss: result.loss,
          gradNorm: Number(result.outputs['grad_norm']?.data[0] ?? Number.NaN),
          lr: lrs[0]!,
        },
      ];
    }
    const result = await session.runSteps(stackSteps(steps.map(stepFeeds)), lrs);
    const norms = result.outputs['grad_norm']?.data;
    return steps.map((_, i) => ({
      loss: result.losses[i]!,
      gradNorm: Number(norms?.[i] ?? Number.NaN),
      lr: lrs[i]!,
    }));
  };

  const lastStep = Math.min(config.steps, options.stopAfter ?? config.steps);
  try {
    while (session.step < lastStep) {
      if (lock.lost) {
        throw new TrainerError(
          'run_locked',
          `${dir}: another process (${lock.lost.pid} on ${lock.lost.host}) took the run over while this one was presumed lost; stopping without writing`,
          { path: dir },
        );
      }
      // A chunk never crosses a checkpoint or the last step, so they land on the steps they
      // would with one step per run.
      const first = session.step + 1;
      const nextCheckpoint = Math.ceil(first / config.checkpointEvery) * config.checkpointEvery;
      const last = Math.min(first + stepsPerRun - 1, lastStep, nextCheckpoint);
      const started = performance.now();
      const results = await runChunk(first, last);
      const stepTime = (performance.now() - started) / 1000 / results.length;
      for (const [i, result] of results.entries()) {
        const step = first + i;
        if (!Number.isFinite(result.loss)) {
          throw new TrainerError(
            'non_finite',
            `loss became ${result.loss} at step ${step}; nothing of this step was saved, and ${lastCheckpoint === checkpointName(0) ? 'the only checkpoint is the initial one' : `${lastCheckpoint} is the last intact checkpoint`} (lower --lr, or set --clip-norm?)`,
            { path: dir },
          );
        }
        let record: StepRecord = {
          step,
          loss: result.loss,
          lr: result.lr,
          gradNorm: result.gradNorm,
          stepTime,
          imagesPerSecond: config.batch / stepTime,
        };
        const lastOfChunk = step === last;
        const stopping = lastOfChunk && (options.signal?.aborted === true || step === lastStep);
        const checkpointing = lastOfChunk && (step % config.checkpointEvery === 0 || stopping);
        // The line goes first: a crash before the checkpoint is complete leaves a line past the
        // previous checkpoint, which resuming drops; the other order would lose this step's line.
        await appendMetrics(metricsPath, { ...record, time: new Date().toISOString() });
        if (checkpointing) record = { ...record, checkpoint: await save() };
        yield record;
      }
      if (options.signal?.aborted) {
        // Aborted while the caller handled the records: make sure the last step is saved.
        if (!(await isSaved(session.step))) await save();
        break;
      }
    }
  } finally {
    await session.release();
  }
}
