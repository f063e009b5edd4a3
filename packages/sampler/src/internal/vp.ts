/**
 * Variance-preserving coefficients from γ: x_t = α·x0 + σ·ε with α = √γ, σ = √(1 − γ), and the
 * half-logSNR λ = ln(α/σ) of DPM-Solver (Lu et al. 2022, §3.1), the time DPM-Solver++ steps in.
 */

export function alphaOf(gamma: number): number {
  return Math.sqrt(gamma);
}

export function sigmaOf(gamma: number): number {
  return Math.sqrt(1 - gamma);
}

/** λ = ½·ln(γ / (1 − γ)); −∞ at γ = 0, +∞ at γ = 1. */
export function halfLogSnr(gamma: number): number {
  return 0.5 * (Math.log(gamma) - Math.log1p(-gamma));
}
