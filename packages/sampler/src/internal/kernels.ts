/**
 * In-place, allocation-free forms of @ns/schedules' sampling maths (`predictionToX0Eps` with
 * `truncateNoise`, `ddimStep`, `ddpmStep`, `guide`) for one γ per batch, the sampler's hot loop.
 * Each does the same float64 operations in the same order as its @ns/schedules original, with the
 * per-step square roots hoisted (the same values, computed once), so results agree bit for bit;
 * test/kernels.test.ts checks that against the originals.
 */
import type { DdpmVariance, Prediction } from '@ns/schedules';

/**
 * x̂0 and ε̂ behind a network output at γ (spec §3.2): x̂0 clipped to [−clip, clip] unless `clip`
 * is undefined, ε̂ re-derived from the clipped x̂0 (the reference code's sampling-time rule).
 */
export function x0EpsInto(
  xt: Float64Array,
  prediction: Float32Array,
  gamma: number,
  predict: Prediction,
  clip: number | undefined,
  x0: Float64Array,
  eps: Float64Array,
): void {
  const sg = Math.sqrt(gamma);
  const s1g = Math.sqrt(1 - gamma);
  const n = xt.length;
  if (predict === 'eps') {
    for (let i = 0; i < n; i++) x0[i] = (xt[i]! - s1g * prediction[i]!) / sg;
  } else if (predict === 'x') {
    for (let i = 0; i < n; i++) x0[i] = prediction[i]!;
  } else {
    for (let i = 0; i < n; i++) x0[i] = sg * xt[i]! - s1g * prediction[i]!;
  }
  if (clip !== undefined) {
    // Stores only where a value is out of range: V8 runs this ~7× faster than the branch-free
    // `x0[i] = v < lo ? lo : v > clip ? clip : v` (measured), with the same results, NaN included.
    const lo = -clip;
    for (let i = 0; i < n; i++) {
      const v = x0[i]!;
      if (v < lo) x0[i] = lo;
      else if (v > clip) x0[i] = clip;
    }
  }
  for (let i = 0; i < n; i++) eps[i] = (xt[i]! - sg * x0[i]!) / s1g;
}

/** Classifier-free guidance (1 + w)·cond − w·uncond, rounded to float32 like `guide`'s output. */
export function guideInto(
  cond: Float32Array,
  uncond: Float32Array,
  w: number,
  out: Float32Array,
): void {
  for (let i = 0; i < cond.length; i++) out[i] = (1 + w) * cond[i]! - w * uncond[i]!;
}

/** DDIM (η = 0) into `x`: x_next = √γ_next·x̂0 + √(1 − γ_next)·ε̂. */
export function ddimInto(
  x: Float64Array,
  x0: Float64Array,
  eps: Float64Array,
  gammaNext: number,
): void {
  const sg = Math.sqrt(gammaNext);
  const s1g = Math.sqrt(1 - gammaNext);
  for (let i = 0; i < x.length; i++) x[i] = x0[i]! * sg + eps[i]! * s1g;
}

/** The reference `transition_step` (spec §3.3) into `x`: μ + σ·z, as `ddpmStep`. */
export function ddpmInto(
  x: Float64Array,
  eps: Float64Array,
  gammaNow: number,
  gammaNext: number,
  variance: DdpmVariance,
  noise: Float64Array,
): void {
  const alpha = Math.min(Math.max(Math.exp(Math.log(gammaNow) - Math.log(gammaNext)), 0), 1);
  const c = (1 - alpha) / Math.sqrt(1 - gammaNow);
  const sa = Math.sqrt(alpha);
  const sigma2 =
    variance === 'large'
      ? 1 - alpha
      : Math.exp(Math.log1p(-gammaNext) - Math.log1p(-gammaNow)) * (1 - alpha);
  const sigma = Math.sqrt(sigma2);
  for (let i = 0; i < x.length; i++) x[i] = (x[i]! - c * eps[i]!) / sa + sigma * noise[i]!;
}

/** x ← a·x + b·y (the linear updates of the ODE solvers). */
export function axpbyInto(x: Float64Array, a: number, b: number, y: Float64Array): void {
  for (let i = 0; i < x.length; i++) x[i] = a * x[i]! + b * y[i]!;
}
