import { assertInClosedRange, assertInteger } from './errors.js';
import { equivalentGamma, type Schedule } from './schedule.js';

export interface DiscreteOptions {
  /** Cap on every β (diffusers' `max_beta`, default 0.999), which keeps ᾱ_T > 0. */
  readonly maxBeta?: number;
}

/**
 * β_i = min(1 − ᾱ((i + 1)/T) / ᾱ(i/T), maxBeta) for i = 0 … T − 1: diffusers' `betas_for_alpha_bar`
 * with ᾱ = the schedule's variance-preserving γ (for an input-scaled schedule, σ(logSNR), see
 * `equivalentGamma`). Pass the result as `trained_betas` to a diffusers scheduler.
 */
export function betas(
  schedule: Schedule,
  steps: number,
  options: DiscreteOptions = {},
): Float64Array {
  assertInteger('steps', steps, 1);
  const maxBeta = options.maxBeta ?? 0.999;
  assertInClosedRange('maxBeta', maxBeta, 0, 1);
  const result = new Float64Array(steps);
  let previous = equivalentGamma(schedule, 0);
  for (let i = 0; i < steps; i++) {
    const next = equivalentGamma(schedule, (i + 1) / steps);
    result[i] = Math.min(1 - next / previous, maxBeta);
    previous = next;
  }
  return result;
}

/** ᾱ_i = Π_{j≤i} (1 − β_j), exactly as diffusers derives `alphas_cumprod` from `betas`. */
export function alphasCumprod(
  schedule: Schedule,
  steps: number,
  options: DiscreteOptions = {},
): Float64Array {
  const beta = betas(schedule, steps, options);
  const result = new Float64Array(steps);
  let product = 1;
  for (let i = 0; i < steps; i++) {
    product *= 1 - beta[i]!;
    result[i] = product;
  }
  return result;
}

/**
 * Lin et al. 2023, "Common Diffusion Noise Schedules and Sample Steps Are Flawed", Algorithm 1 (as
 * diffusers' `rescale_zero_terminal_snr`): with s_k = √ᾱ_k, s_k ← (s_k − s_T)·s_0/(s_0 − s_T), so
 * ᾱ_0 is kept and ᾱ_T becomes exactly 0 (zero terminal SNR); then β_0 = 1 − ᾱ_0 and
 * β_k = 1 − ᾱ_k/ᾱ_(k−1). The last β is 1.
 */
export function rescaleZeroTerminalSnr(betas: ArrayLike<number>): Float64Array {
  const n = betas.length;
  if (n < 2) throw new RangeError(`\`betas\` must have at least 2 values, got ${n}`);
  const root = new Float64Array(n);
  let product = 1;
  for (let i = 0; i < n; i++) {
    const beta = betas[i]!;
    assertInClosedRange(`betas[${i}]`, beta, 0, 1);
    product *= 1 - beta;
    root[i] = Math.sqrt(product);
  }
  const first = root[0]!;
  const last = root[n - 1]!;
  if (!(first > last)) {
    throw new RangeError(`\`betas\` must make ᾱ decrease (√ᾱ_0 = ${first}, √ᾱ_T = ${last})`);
  }
  const result = new Float64Array(n);
  let previous = 1;
  for (let i = 0; i < n; i++) {
    const s = (root[i]! - last) * (first / (first - last));
    const alphaBar = s * s;
    result[i] = 1 - (i === 0 ? alphaBar : alphaBar / previous);
    previous = alphaBar;
  }
  return result;
}
