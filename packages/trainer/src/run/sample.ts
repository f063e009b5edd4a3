/**
 * Sampling from a run: eval_model.onnx, written once at creation, with a checkpoint's weights
 * file bound to it as external data (no export per checkpoint), driven by @ns/sampler in batches.
 * A shard i/K draws whole batches [⌊i·n/K⌋, ⌊(i+1)·n/K⌋) of the n batches, each with the seed it
 * has in the unsharded run, so the union of the shards is the unsharded set, image for image.
 */
import type { Device } from '@ns/graph';
import { openSession } from '@ns/graph';
import { onnxDenoiser, parseSampler, sample, toUint8 } from '@ns/sampler';
import { TrainerError } from '../errors.js';
import type { WeightsFile } from './checkpoint.js';
import { BOUND_WEIGHTS_FILE, runPath } from './layout.js';
import type { Run } from './run.js';

export interface SampleOptions {
  /** Images in the whole set (a shard draws its part of them). */
  readonly count: number;
  /** Network evaluations per image (per guidance branch). */
  readonly steps: number;
  /** Sampler name (see @ns/sampler's SAMPLER_NAMES; default ddpm). */
  readonly sampler?: string;
  /** Inference schedule spec (default cosine), independent of training. */
  readonly schedule?: string;
  /** Classifier-free guidance weight (default 0). */
  readonly guidance?: number;
  /** Class of every image; default seeded random classes for a conditional model. */
  readonly label?: number;
  readonly seed?: number;
  /** Images per network batch (default 64). */
  readonly batch?: number;
  /** EMA (default) or online weights. */
  readonly weights?: 'ema' | 'online';
  /** A checkpoint name (e.g. `step-00001000`) instead of the one LATEST names. */
  readonly fromCheckpoint?: string;
  readonly shard?: { readonly index: number; readonly count: number };
  readonly device?: Device;
  readonly threads?: number;
  readonly spinning?: boolean;
  /** Called after every network step with (done, total) steps of this call. */
  readonly onStep?: (done: number, total: number) => void;
}

export interface SampleResult {
  /** uint8 NHWC images of this call (the shard's, when sharded). */
  readonly images: Uint8Array;
  /** Class per image for a conditional model. */
  readonly labels: Int32Array | undefined;
  /** Index of the first image in the whole set. */
  readonly first: number;
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly channels: 1 | 3;
  /** The checkpoint's step and name. */
  readonly step: number;
  readonly checkpoint: string;
}

/** Which batches of `total` a shard draws. */
export function shardBatches(
  total: number,
  shard: { index: number; count: number } | undefined,
): { from: number; to: number } {
  if (shard === undefined) return { from: 0, to: total };
  const { index, count } = shard;
  if (
    !(
      Number.isInteger(count) &&
      count >= 1 &&
      Number.isInteger(index) &&
      index >= 0 &&
      index < count
    )
  ) {
    throw new TrainerError(
      'invalid_argument',
      `--shard must be i/K with 0 <= i < K, got ${index}/${count}`,
    );
  }
  return {
    from: Math.floor((index * total) / count),
    to: Math.floor(((index + 1) * total) / count),
  };
}

export interface EvalSessionOptions {
  /** EMA (default) or online weights. */
  readonly weights?: 'ema' | 'online';
  /** A checkpoint name instead of the one LATEST names. */
  readonly fromCheckpoint?: string;
  readonly device?: Device;
  readonly threads?: number;
  readonly spinning?: boolean;
}

/**
 * An onnxruntime session over the run's eval_model.onnx with a verified checkpoint's weights file
 * bound as its external data (no export), and the checkpoint's step and name.
 */
export interface EvalSession {
  readonly session: Awaited<ReturnType<typeof openSession>>;
  readonly checkpoint: { readonly step: number; readonly name: string };
}

export async function openEvalSession(run: Run, o: EvalSessionOptions = {}): Promise<EvalSession> {
  const which: WeightsFile = (o.weights ?? 'ema') === 'ema' ? 'ema' : 'model';
  const checkpoint = await run.loadCheckpoint({
    parts: which,
    ...(o.fromCheckpoint === undefined ? {} : { requested: o.fromCheckpoint }),
  });
  if (checkpoint === undefined)
    throw new TrainerError('no_checkpoint', `${run.dir} has no checkpoint yet`, { path: run.dir });
  const session = await openSession(runPath(run.dir, 'evalModel'), {
    device: o.device ?? 'cpu',
    ...(o.threads === undefined ? {} : { threads: o.threads }),
    ...(o.spinning === undefined ? {} : { spinning: o.spinning }),
    externalData: [{ path: BOUND_WEIGHTS_FILE, data: checkpoint.bytes[which]! }],
  });
  return { session, checkpoint: { step: checkpoint.step, name: checkpoint.ref.name } };
}

export async function sampleRun(run: Run, o: SampleOptions): Promise<SampleResult> {
  const { config, manifest } = run;
  const batchSize = o.batch ?? 64;
  for (const [name, v] of [
    ['count', o.count],
    ['steps', o.steps],
    ['batch', batchSize],
  ] as const) {
    if (!(Number.isInteger(v) && v >= 1))
      throw new TrainerError('invalid_argument', `--${name} must be an integer >= 1, got ${v}`);
  }
  parseSampler(o.sampler ?? 'ddpm');
  const { session, checkpoint } = await openEvalSession(run, o);
  const { imageSize, channels, numClasses } = manifest.stepInputs;
  const batches = Math.ceil(o.count / batchSize);
  const { from, to } = shardBatches(batches, o.shard);
  const first = from * batchSize;
  const end = Math.min(o.count, to * batchSize);
  const size = imageSize * imageSize * channels;
  const pixels = new Uint8Array(Math.max(0, end - first) * size);
  const labels = new Int32Array(Math.max(0, end - first));
  const total = (to - from) * o.steps;
  let done = 0;
  try {
    for (let start = first; start < end; start += batchSize) {
      const batch = Math.min(batchSize, end - start);
      const shape = { batch, height: imageSize, width: imageSize, channels };
      const result = await sample({
        denoiser: onnxDenoiser(session, { shape, latentShape: manifest.latentShape }),
        shape,
        steps: o.steps,
        sampler: (o.sampler ?? 'ddpm') as never,
        schedule: o.schedule ?? 'cosine',
        predict: predictionOf(run),
        inputScale: config.inputScale,
        normalize: false, // the network normalises its input itself
        guidance: o.guidance ?? 0,
        numClasses,
        ...(o.label === undefined ? {} : { labels: new Int32Array(batch).fill(o.label) }),
        latentSize: manifest.latentShape.reduce((a, d) => a * d, 1),
        seed: (o.seed ?? 0) + start,
        onStep: () => o.onStep?.(++done, total),
      });
      pixels.set(toUint8(result.images), (start - first) * size);
      labels.set(result.labels, start - first);
    }
  } finally {
    await session.release();
  }
  return {
    images: pixels,
    labels: numClasses > 0 ? labels : undefined,
    first,
    count: end - first,
    height: imageSize,
    width: imageSize,
    channels: channels as 1 | 3,
    step: checkpoint.step,
    checkpoint: checkpoint.name,
  };
}

function predictionOf(run: Run) {
  const model = run.config.model;
  return model.kind === 'rin' ? model.rin.predict : (model.mlp.predict ?? 'eps');
}
