/**
 * One noise level, four parameterisations (for data x0 and ε ~ N(0, I)):
 * - γ (VP, diffusers' ᾱ): x = √γ·x0 + √(1 − γ)·ε;
 * - σ (VE, EDM / k-diffusion): x = x0 + σ·ε;
 * - flow time t (rectified flow, SD3 / Flux): x = (1 − t)·x0 + t·ε;
 * - logSNR λ = ln(γ/(1 − γ)) = −2·ln σ = 2·ln((1 − t)/t).
 * Each process is the others rescaled by a per-level constant, so they share λ; the conversions
 * below go both ways between every pair, exact at the ends (λ = ±∞, σ = 0 or ∞, γ and t = 0 or 1).
 */
import { assertInClosedRange, assertNotNaN } from './errors.js';
import { sigmoidFn } from './math.js';

const describe = (value: number): string => (Number.isNaN(value) ? 'NaN' : String(value));

function assertSigma(sigma: number): void {
  if (!(sigma >= 0)) {
    throw new RangeError(
      `\`sigma\` must be a number >= 0 (Infinity allowed), got ${describe(sigma)}`,
    );
  }
}

// Unchecked forms, for the schedule families (which check t themselves).
/** λ(t) = 2·(ln(1 − t) − ln t) of rectified flow. */
export const logSnrOfFlowTime = (t: number): number => 2 * (Math.log1p(-t) - Math.log(t));
/** γ(t) = (1 − t)²/((1 − t)² + t²) of rectified flow. */
export const gammaOfFlowTime = (t: number): number => {
  const s = 1 - t;
  return (s * s) / (s * s + t * t);
};
/** t(λ) = 1/(1 + e^(λ/2)) = σ/(1 + σ). */
export const flowTimeOfLogSnr = (logSnr: number): number => 1 / (1 + Math.exp(logSnr / 2));
/** t(γ) = √(1 − γ)/(√γ + √(1 − γ)). */
export const flowTimeOfGamma = (gamma: number): number => {
  const noise = Math.sqrt(1 - gamma);
  return noise / (Math.sqrt(gamma) + noise);
};

/** λ = ln(γ/(1 − γ)); +∞ at γ = 1, −∞ at γ = 0. */
export function logSnrFromGamma(gamma: number): number {
  assertInClosedRange('gamma', gamma, 0, 1);
  return Math.log(gamma) - Math.log1p(-gamma);
}

/** γ = sigmoid(λ); exactly 1 at +∞ and 0 at −∞. */
export function gammaFromLogSnr(logSnr: number): number {
  assertNotNaN('logSnr', logSnr);
  return sigmoidFn(logSnr);
}

/** σ = e^(−λ/2), the VE noise level of a logSNR. */
export function sigmaFromLogSnr(logSnr: number): number {
  assertNotNaN('logSnr', logSnr);
  return Math.exp(-logSnr / 2);
}

/** λ = −2·ln σ; +∞ at σ = 0. */
export function logSnrFromSigma(sigma: number): number {
  assertSigma(sigma);
  return -2 * Math.log(sigma);
}

/** Flow time t = 1/(1 + e^(λ/2)) of a logSNR. */
export function flowTimeFromLogSnr(logSnr: number): number {
  assertNotNaN('logSnr', logSnr);
  return flowTimeOfLogSnr(logSnr);
}

/** λ = 2·ln((1 − t)/t) of a flow time. */
export function logSnrFromFlowTime(t: number): number {
  assertInClosedRange('t', t, 0, 1);
  return logSnrOfFlowTime(t);
}

/** γ = 1/(1 + σ²). */
export function gammaFromSigma(sigma: number): number {
  assertSigma(sigma);
  return 1 / (1 + sigma * sigma);
}

/** σ = √((1 − γ)/γ); ∞ at γ = 0. */
export function sigmaFromGamma(gamma: number): number {
  assertInClosedRange('gamma', gamma, 0, 1);
  return Math.sqrt((1 - gamma) / gamma);
}

/** γ = (1 − t)²/((1 − t)² + t²) of a flow time. */
export function gammaFromFlowTime(t: number): number {
  assertInClosedRange('t', t, 0, 1);
  return gammaOfFlowTime(t);
}

/** Flow time t = √(1 − γ)/(√γ + √(1 − γ)). */
export function flowTimeFromGamma(gamma: number): number {
  assertInClosedRange('gamma', gamma, 0, 1);
  return flowTimeOfGamma(gamma);
}

/** σ = t/(1 − t) of a flow time; ∞ at t = 1. */
export function sigmaFromFlowTime(t: number): number {
  assertInClosedRange('t', t, 0, 1);
  return t / (1 - t);
}

/** Flow time t = σ/(1 + σ); 1 at σ = ∞. */
export function flowTimeFromSigma(sigma: number): number {
  assertSigma(sigma);
  return sigma === Number.POSITIVE_INFINITY ? 1 : sigma / (1 + sigma);
}
