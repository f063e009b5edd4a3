/**
 * The denoiser as every solver sees it (k-diffusion's `model(x, sigma)` → denoised): x̂0 and ε̂
 * at (x_t, t), with everything Algorithm 3 does around the network folded in — the network's
 * variance-normalised float32 copy of x_t, γ of the inference schedule, classifier-free guidance,
 * RIN's latents carried from one evaluation to the next, x̂0 clipped and ε̂ re-derived from it.
 * Buffers are allocated once per run, so an evaluation allocates nothing of its own.
 */
import { normalizeVariance, type Prediction, type Schedule } from '@ns/schedules';
import type { Denoiser, ImageShape } from './denoiser.js';
import { guideInto, x0EpsInto } from './internal/kernels.js';

/** The pair of estimates a model writes; the solver owns the buffers. */
export interface Estimate {
  readonly x0: Float64Array;
  readonly eps: Float64Array;
}

/** A zeroed {@link Estimate} for `length` values. */
export function estimate(length: number): Estimate {
  return { x0: new Float64Array(length), eps: new Float64Array(length) };
}

/**
 * x̂0 and ε̂ at the sampler state `x` (unnormalised) and time `t`, written into `into`: one
 * network evaluation per guidance branch. `x` is read when the call starts and again when the
 * network has answered, so a solver must not change it before the promise settles (it may do
 * other work before awaiting it).
 */
export type Model = (x: Float64Array, t: number, into: Estimate) => Promise<void>;

/** The per-evaluation record of `onStep` (k-diffusion's callback dict). */
export interface StepProgress {
  /** 1-based number of this network evaluation (per guidance branch). */
  readonly step: number;
  /** Evaluations in the whole run: the `steps` option. */
  readonly steps: number;
  /** The time the network was evaluated at, and its γ. */
  readonly tNow: number;
  readonly gammaNow: number;
  /** The sampler state the network saw (before normalisation); valid during the call only. */
  readonly x: Float64Array;
  /** x̂0 of this evaluation (clipped); valid during the call only. */
  readonly x0: Float64Array;
}

export interface ModelOptions {
  readonly denoiser: Denoiser;
  readonly shape: ImageShape;
  readonly schedule: Schedule;
  readonly predict: Prediction;
  /** Clip x̂0 to [−clip, clip]; undefined for no clipping. */
  readonly clip: number | undefined;
  readonly normalize: boolean;
  readonly guidance: number;
  readonly labels: Int32Array;
  /** Label mask of the conditional pass (1 for a conditional model, 0 otherwise). */
  readonly keep: Float32Array;
  readonly latentSize: number;
  readonly steps: number;
  readonly onStep?: (progress: StepProgress) => void;
}

export function denoiserModel(o: ModelOptions): Model {
  const { denoiser, schedule, predict, clip, normalize, guidance, labels, keep } = o;
  const { batch } = o.shape;
  const length = batch * o.shape.height * o.shape.width * o.shape.channels;
  const networkInput = new Float32Array(length);
  const normalized = normalize ? new Float64Array(length) : undefined;
  const gammaInput = new Float32Array(batch);
  const drop = new Float32Array(batch);
  const guided = guidance === 0 ? undefined : new Float32Array(length);
  let latentsPrev: Float32Array = new Float32Array(batch * o.latentSize);
  let step = 0;

  return async (x, t, into) => {
    const gamma = schedule.gamma(t);
    // Normalised in float64, then rounded to float32 (`set` rounds as Float32Array.from does).
    networkInput.set(normalized ? normalizeVariance(x, batch, normalized) : x);
    gammaInput.fill(gamma);
    const input = { x: networkInput, gamma: gammaInput, latentsPrev, labels };
    const cond = await denoiser({ ...input, labelMask: keep });
    checkOutput(cond.prediction.length, length, cond.latents.length, latentsPrev.length);
    let prediction: Float32Array = cond.prediction;
    if (guided) {
      const uncond = await denoiser({ ...input, labelMask: drop });
      checkOutput(uncond.prediction.length, length, uncond.latents.length, latentsPrev.length);
      guideInto(cond.prediction, uncond.prediction, guidance, guided);
      prediction = guided;
    }
    latentsPrev = cond.latents;
    x0EpsInto(x, prediction, gamma, predict, clip, into.x0, into.eps);
    step++;
    o.onStep?.({ step, steps: o.steps, tNow: t, gammaNow: gamma, x, x0: into.x0 });
  };
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
