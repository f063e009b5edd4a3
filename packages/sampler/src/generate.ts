/**
 * Algorithm 3 of Chen 2023 as the reference code runs it (spec §3.4, §3.9): a uniform time grid,
 * the network conditioned on γ of the inference schedule, x̂0 clipped to [−b, b], ε̂ re-derived from
 * the clipped x̂0, DDIM or DDPM transitions, latents carried from the conditional pass, and the last
 * x̂0 returned. Only the network's copy of x_t is variance-normalised; the sampler state is not.
 */
import { Rng } from '@ns/random';
import {
  ddimStep,
  ddpmStep,
  guide,
  normalizeVariance,
  type Prediction,
  parseSchedule,
  predictionToX0Eps,
  type Schedule,
  timeGrid,
} from '@ns/schedules';
import type { Denoiser, ImageShape } from './denoiser.js';
import { parseSampler, type SamplerName } from './method.js';

export interface SampleOptions {
  readonly denoiser: Denoiser;
  readonly shape: ImageShape;
  /** Number of network evaluations (per guidance branch). */
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
  /** The reference code's time offset `td` (default 0). */
  readonly td?: number;
  /** Called after every step. */
  readonly onStep?: (progress: StepProgress) => void;
}

export interface StepProgress {
  readonly step: number;
  readonly steps: number;
  readonly tNow: number;
  readonly gammaNow: number;
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
  const keep = new Float32Array(batch).fill(numClasses > 0 ? 1 : 0);
  const drop = new Float32Array(batch);

  const noiseRng = rng.fold('noise');
  let x = new Float64Array(batch * size);
  noiseRng.normals(x.length, x);
  let latentsPrev: Float32Array = new Float32Array(batch * latentSize);
  const { tNow, tNext } = timeGrid(steps, options.td ?? 0);
  const normalize = options.normalize ?? true;
  let x0 = new Float64Array(x.length);
  const gammaInput = new Float32Array(batch);

  for (let i = 0; i < steps; i++) {
    const gammaNow = schedule.gamma(tNow[i]!);
    const gammaNext = schedule.gamma(tNext[i]!);
    const networkInput = Float32Array.from(normalize ? normalizeVariance(x, batch) : x);
    gammaInput.fill(gammaNow);

    const cond = await denoiser({
      x: networkInput,
      gamma: gammaInput,
      latentsPrev,
      labels,
      labelMask: keep,
    });
    checkOutput(cond.prediction.length, x.length, cond.latents.length, latentsPrev.length);
    let prediction: Float32Array = cond.prediction;
    if (guidance !== 0) {
      const uncond = await denoiser({
        x: networkInput,
        gamma: gammaInput,
        latentsPrev,
        labels,
        labelMask: drop,
      });
      checkOutput(uncond.prediction.length, x.length, uncond.latents.length, latentsPrev.length);
      prediction = guide(cond.prediction, uncond.prediction, guidance);
    }
    latentsPrev = cond.latents;

    const estimate = predictionToX0Eps({
      xt: x,
      prediction,
      gamma: gammaNow,
      predict,
      ...(options.clip === false ? {} : { clip: b }),
      truncateNoise: true,
    });
    x0 = estimate.x0;
    x =
      method.kind === 'ddim'
        ? ddimStep({ x0: estimate.x0, eps: estimate.eps, gammaNext })
        : ddpmStep({
            xt: x,
            eps: estimate.eps,
            gammaNow,
            gammaNext,
            variance: method.variance,
            noise: noiseRng.normals(x.length, new Float64Array(x.length)),
          });
    options.onStep?.({ step: i + 1, steps, tNow: tNow[i]!, gammaNow });
  }

  const images = new Float32Array(x0.length);
  for (let i = 0; i < x0.length; i++) {
    const v = x0[i]! / b / 2 + 0.5;
    images[i] = v < 0 ? 0 : v > 1 ? 1 : v;
  }
  return { images, x0, labels };
}

function checkOutput(
  prediction: number,
  expected: number,
  latents: number,
  expectedLatents: number,
): void {
  if (prediction !== expected) {
    throw new RangeError(
      `denoiser returned a prediction of ${prediction} values, expected ${expected}`,
    );
  }
  if (latents !== expectedLatents) {
    throw new RangeError(
      `denoiser returned ${latents} latent values, expected ${expectedLatents} (latentSize × batch)`,
    );
  }
}

/** [0, 1] floats → uint8 (round half up), for PNG and ADM .npz output. */
export function toUint8(images: Float32Array): Uint8Array {
  const out = new Uint8Array(images.length);
  for (let i = 0; i < images.length; i++) out[i] = Math.round(images[i]! * 255);
  return out;
}
