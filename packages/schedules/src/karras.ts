import { assertInteger, assertOrdered, assertPositive } from './errors.js';

export interface KarrasOptions {
  /** Smallest non-zero σ (EDM's default 0.002). */
  readonly sigmaMin?: number;
  /** Largest σ (EDM's default 80). */
  readonly sigmaMax?: number;
  /** Curvature ρ (default 7, "the value used in the paper"). */
  readonly rho?: number;
}

export const KARRAS_DEFAULTS = { sigmaMin: 0.002, sigmaMax: 80, rho: 7 } as const;

/**
 * Karras et al. 2022, eq. 5 (k-diffusion's `get_sigmas_karras`, diffusers' `_convert_to_karras`):
 * σ_i = (σmax^(1/ρ) + i/(N − 1)·(σmin^(1/ρ) − σmax^(1/ρ)))^ρ for i = 0 … N − 1, then σ_N = 0.
 * N + 1 values, noisiest first: the N steps of a sampler and the clean end.
 */
export function karrasSigmas(steps: number, options: KarrasOptions = {}): Float64Array {
  const sigmaMin = options.sigmaMin ?? KARRAS_DEFAULTS.sigmaMin;
  const sigmaMax = options.sigmaMax ?? KARRAS_DEFAULTS.sigmaMax;
  const rho = options.rho ?? KARRAS_DEFAULTS.rho;
  assertInteger('steps', steps, 1);
  assertPositive('sigmaMin', sigmaMin);
  assertPositive('rho', rho);
  assertOrdered('sigmaMin', sigmaMin, 'sigmaMax', sigmaMax);
  const minInvRho = sigmaMin ** (1 / rho);
  const maxInvRho = sigmaMax ** (1 / rho);
  const sigmas = new Float64Array(steps + 1);
  // numpy's linspace(0, 1, N): i·(1/(N − 1)), the last one exactly 1.
  const step = steps === 1 ? 0 : 1 / (steps - 1);
  for (let i = 0; i < steps; i++) {
    const ramp = i === steps - 1 && steps > 1 ? 1 : i * step;
    sigmas[i] = (maxInvRho + ramp * (minInvRho - maxInvRho)) ** rho;
  }
  return sigmas;
}
