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
