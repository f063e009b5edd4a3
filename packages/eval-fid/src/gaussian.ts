import { fail } from './errors.js';

/**
 * Mean and covariance of a feature distribution: what pytorch-fid stores as `mu` and `sigma`.
 * `sigma` is dim × dim, row-major, symmetric. `count` is the number of samples when known
 * (stats files from other tools do not record it).
 */
export interface GaussianStatistics {
  readonly dim: number;
  readonly mu: Float64Array;
  readonly sigma: Float64Array;
  readonly count?: number;
}

/** Checks shapes and finiteness, so a wrong file fails here and not deep inside the maths. */
export function gaussianStatistics(
  mu: Float64Array,
  sigma: Float64Array,
  count?: number,
  source = 'statistics',
): GaussianStatistics {
  const dim = mu.length;
  if (dim === 0) fail(`${source}.mu`, 'at least one feature', 0);
  if (sigma.length !== dim * dim) {
    fail(`${source}.sigma`, `${dim}×${dim} = ${dim * dim} values to match mu`, sigma.length);
  }
  for (let i = 0; i < mu.length; i++) {
    if (!Number.isFinite(mu[i]!)) fail(`${source}.mu[${i}]`, 'a finite number', mu[i]);
  }
  for (let i = 0; i < sigma.length; i++) {
    if (!Number.isFinite(sigma[i]!)) {
      fail(`${source}.sigma[${Math.floor(i / dim)},${i % dim}]`, 'a finite number', sigma[i]);
    }
  }
  return count === undefined ? { dim, mu, sigma } : { dim, mu, sigma, count };
}
