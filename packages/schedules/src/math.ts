/** Small numeric helpers in float64. */
import { expKernel } from './kernels.js';

/** Logistic sigmoid σ(x) = 1 / (1 + e^(−x)), the form used by the paper's Algorithm 1. */
export const sigmoidFn = (x: number): number => 1 / (1 + expKernel(-x));

/** σ⁻¹(p) = ln p − ln(1 − p), accurate near both ends. */
export const logit = (p: number): number => Math.log(p) - Math.log1p(-p);

/** logSNR of a variance-preserving level: ln(γ / (1 − γ)); +∞ at γ = 1, −∞ at γ = 0. */
export const logSnrOfGamma = (gamma: number): number => Math.log(gamma / (1 - gamma));

/** γ of a logSNR: σ(λ); exactly 1 at +∞ and 0 at −∞. */
export const gammaOfLogSnr = (logSnr: number): number => sigmoidFn(logSnr);

export const clamp = (x: number, lo: number, hi: number): number => (x < lo ? lo : x > hi ? hi : x);

/** np.clip semantics (NaN passes through): min(max(x, lo), hi). */
export const npClip = (x: number, lo: number, hi: number): number => Math.min(Math.max(x, lo), hi);
