/**
 * Algorithm 3 of Chen 2023 as the reference code runs it (spec §3.4, §3.9), with the transition
 * chosen by name: the network conditioned on γ of the inference schedule, x̂0 clipped to [−b, b],
 * latents carried, classifier-free guidance, and the last x̂0 returned. The loop itself lives in
 * one small solver per sampler (solvers/), all over the same model (model.ts).
 */
import { Rng } from '@ns/random';
import { type Prediction, parseSchedule, type Schedule } from '@ns/schedules';
import type { Denoiser, ImageShape } from './denoiser.js';
import { parseSampler, type SamplerName } from './method.js';
import { denoiserModel, type StepProgress } from './model.js';
import { solverFor } from './solvers/index.js';

export interface SampleOptions {
  readonly denoiser: Denoiser;
  readonly shape: ImageShape;
  /**
   * Number of network evaluations per guidance branch, for every sampler (`heun` spends them as
   * ⌈(steps + 1)/2⌉ grid intervals, see `heunPlan`).
   */
  readonly steps: number;
  /** Default `ddpm` (the papers' FIDs use 1000 DDPM steps). */
  readonly sampler?: SamplerName;
  /** Inference schedule (default `cosine`, the reference `cosine_schedule_simple`). Independent of training. */
  readonly schedule?: Schedule | string;
  /** What the network predicts (default `eps`). */
  readonly predict?: Prediction;
  /** The training input scale b: x̂0 is clipped to [−b, b] and divided by b at the end (default 1). */
  readonly inputScale?: number;
  /** Clip x̂0 to [−b, b] (default true). */
  readonly clip?: boolean;
  /** Normalise the network's copy of x_t per example, as in training (default true). */
  readonly normalize?: boolean;
  /** Classifier-free guidance weight w: (1 + w)·cond − w·uncond (default 0: one pass per step). */
  readonly guidance?: number;
  /** Number of classes of a conditional model (0 = unconditional). */
  readonly numClasses?: number;
  /** Class per example; random (seeded) when omitted for a conditional model. */
  readonly labels?: Int32Array;
  /** Elements of hidden state per example (RIN: latents × latentDim), 0 for none. */
  readonly latentSize?: number;
  /** Seed of the initial noise, the DDPM noise and random labels. */
  readonly seed?: number;
  /** The reference code's time offset `td` (default 0; `ddpm` and `ddim` only). */
  readonly td?: number;
  /** Called after every network evaluation (after both passes when guided). */
  readonly onStep?: (progress: StepProgress) => void;
}

export interface SampleResult {
  /** Images in [0, 1]: clip(x̂0/b/2 + 0.5), B×H×W×C. */
  readonly images: Float32Array;
  /** The final x̂0 in the scaled data space [−b, b]. */
  readonly x0: Float64Array;
  readonly labels: Int32Array;
}

function checkPositiveInteger(name: string, value: number): void {
  if (!(Number.isInteger(value) && value >= 1)) {
    throw new RangeError(`\`${name}\` must be an integer >= 1, got ${value}`);
  }
}

export async function sample(options: SampleOptions): Promise<SampleResult> {
  const { denoiser, shape, steps } = options;
  const method = parseSampler(options.sampler ?? 'ddpm');
  const schedule =
    typeof options.schedule === 'string' || options.schedule === undefined
      ? parseSchedule(options.schedule ?? 'cosine')
      : options.schedule;
  const predict = options.predict ?? 'eps';
  if (predict !== 'eps' && predict !== 'x' && predict !== 'v') {
    throw new RangeError(`\`predict\` must be 'eps', 'x' or 'v', got ${JSON.stringify(predict)}`);
  }
  const b = options.inputScale ?? 1;
  const guidance = options.guidance ?? 0;
  const numClasses = options.numClasses ?? 0;
  const latentSize = options.latentSize ?? 0;
  for (const [name, v] of Object.entries(shape)) checkPositiveInteger(`shape.${name}`, v);
  checkPositiveInteger('steps', steps);
  if (!(b > 0 && Number.isFinite(b)))
    throw new RangeError(`\`inputScale\` must be a finite number > 0, got ${b}`);
  if (!Number.isFinite(guidance))
    throw new RangeError(`\`guidance\` must be a finite number, got ${guidance}`);
  if (!(Number.isInteger(latentSize) && latentSize >= 0)) {
    throw new RangeError(`\`latentSize\` must be an integer >= 0, got ${latentSize}`);
  }

  const { batch } = shape;
  const size = shape.height * shape.width * shape.channels;
  const rng = new Rng(options.seed ?? 0);
  const labels = options.labels ?? new Int32Array(batch);
  if (labels.length !== batch)
    throw new RangeError(
      `\`labels\` must have one class per example (${batch}), got ${labels.length}`,
    );
  const labelRng = rng.fold('labels');
  if (options.labels === undefined && numClasses > 0) {
    for (let i = 0; i < batch; i++) labels[i] = Math.floor(labelRng.uniform() * numClasses);
  }
  for (let i = 0; i < batch; i++) {
    if (numClasses > 0 && !(labels[i]! >= 0 && labels[i]! < numClasses)) {
      throw new RangeError(
        `\`labels[${i}]\` must be a class in [0, ${numClasses - 1}], got ${labels[i]}`,
      );
    }
  }
  const td = options.td ?? 0;
  if (td !== 0 && method.kind !== 'ddpm' && method.kind !== 'ddim') {
    throw new RangeError(
      `\`td\` applies to the ddpm and ddim samplers only, got ${td} with ${options.sampler}`,
    );
  }

  const noiseRng = rng.fold('noise');
  const x = new Float64Array(batch * size);
  noiseRng.normals(x.length, x);
  const model = denoiserModel({
    denoiser,
    shape,
    schedule,
    predict,
    clip: options.clip === false ? undefined : b,
    normalize: options.normalize ?? true,
    guidance,
    labels,
    keep: new Float32Array(batch).fill(numClasses > 0 ? 1 : 0),
    latentSize,
    steps,
    ...(options.onStep ? { onStep: options.onStep } : {}),
  });
  const x0 = await solverFor(method)({
    model,
    x,
    steps,
    schedule,
    td,
    // the ancestral samplers' z: ziggurat normals, 2× faster than Box–Muller; x_T above keeps
    // Box–Muller, so the deterministic samplers' outputs are what they always were
    noise: (into) => noiseRng.zigguratNormals(into.length, into),
  });

  const images = new Float32Array(x0.length);
  for (let i = 0; i < x0.length; i++) {
    const v = x0[i]! / b / 2 + 0.5;
    images[i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
  return { images, x0, labels };
}

/** [0, 1] floats → uint8 (round half up), for PNG and ADM .npz output. */
export function toUint8(images: Float32Array): Uint8Array {
  const out = new Uint8Array(images.length);
  for (let i = 0; i < images.length; i++) out[i] = Math.round(images[i]! * 255);
  return out;
}
