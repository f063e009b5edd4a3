import { fail } from './errors.js';
import type { GaussianStatistics } from './gaussian.js';
import { pivotedCholesky } from './linalg/pivoted-cholesky.js';
import { addRowDots } from './linalg/row-dots.js';
import { symmetricEigenvalues } from './linalg/symmetric-eigenvalues.js';

/** The Fréchet distance and the terms it is made of (all float64). */
export interface FrechetResult {
  /** ‖μ1 − μ2‖² + tr Σ1 + tr Σ2 − 2 tr √(Σ1 Σ2): pytorch-fid's definition. May be −1e-12-ish for equal inputs. */
  readonly distance: number;
  readonly meanTerm: number;
  readonly trace1: number;
  readonly trace2: number;
  /** tr √(Σ1 Σ2) = Σ √λ over the eigenvalues λ ≥ 0 of Lᵀ Σ1 L. */
  readonly traceSqrtProduct: number;
  /** Numerical rank of Σ2 found by the pivoted Cholesky (< dim means Σ2 is singular). */
  readonly rank: number;
  /** Eigenvalues below zero (rounding noise of a PSD matrix) that were taken as 0. */
  readonly clippedEigenvalues: number;
}

/**
 * tr √(Σ1 Σ2) for symmetric positive semi-definite Σ1, Σ2 without a matrix square root.
 *
 * Why this route: Σ1 Σ2 is not symmetric, so sqrtm (pytorch-fid) and general eigensolvers
 * (torch-fidelity) work in complex arithmetic and can return imaginary parts. But with
 * Σ2[p, p] = L Lᵀ (pivoted Cholesky, which exists for singular Σ2), Σ1 Σ2 is similar to the
 * symmetric PSD matrix Lᵀ Σ1[p, p] L (r × r), whose eigenvalues are real and ≥ 0 up to rounding;
 * the trace of the square root is the sum of their square roots.
 */
export function traceSqrtProduct(
  sigma1: Float64Array,
  sigma2: Float64Array,
  dim: number,
): { trace: number; rank: number; clipped: number } {
  const { factor: L, perm, rank: r } = pivotedCholesky(sigma2, dim);
  if (r === 0) return { trace: 0, rank: 0, clipped: 0 };
  // Lt (r × dim): row c is column c of L, zero before index c.
  const Lt = new Float64Array(r * dim);
  for (let i = 0; i < dim; i++) {
    const ri = i * dim;
    const lim = Math.min(i + 1, r);
    for (let c = 0; c < lim; c++) Lt[c * dim + i] = L[ri + c]!;
  }
  // S1p = Σ1[p, p], symmetric so its rows are also its columns.
  const S1p = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) {
    const src = perm[i]! * dim;
    const dst = i * dim;
    for (let j = 0; j < dim; j++) S1p[dst + j] = sigma1[src + perm[j]!]!;
  }
  // Tt = Lᵀ S1p (r × dim), then M = Lᵀ S1p L = Lt Ttᵀ (r × r, upper triangle).
  const Tt = new Float64Array(r * dim);
  addRowDots(Lt, r, S1p, dim, dim, Tt, { aZeroBeforeDiagonal: true });
  const M = new Float64Array(r * r);
  addRowDots(Lt, r, Tt, r, dim, M, { upperOnly: true, aZeroBeforeDiagonal: true });
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < i; j++) M[i * r + j] = M[j * r + i]!; // eigensolver reads the lower triangle
  }
  const eigenvalues = symmetricEigenvalues(M, r);
  let trace = 0;
  let clipped = 0;
  for (const lambda of eigenvalues) {
    if (lambda > 0) trace += Math.sqrt(lambda);
    else if (lambda < 0) clipped += 1;
  }
  return { trace, rank: r, clipped };
}

/**
 * Fréchet distance between two Gaussians, as pytorch-fid defines FID:
 * ‖μ1 − μ2‖² + tr Σ1 + tr Σ2 − 2 tr √(Σ1 Σ2), computed by a real symmetric eigenvalue route.
 */
export function frechetDistance(a: GaussianStatistics, b: GaussianStatistics): FrechetResult {
  if (a.dim !== b.dim)
    fail('statistics', `two distributions of the same dimension (${a.dim})`, b.dim);
  const d = a.dim;
  let meanTerm = 0;
  let trace1 = 0;
  let trace2 = 0;
  for (let i = 0; i < d; i++) {
    meanTerm += (a.mu[i]! - b.mu[i]!) ** 2;
    trace1 += a.sigma[i * d + i]!;
    trace2 += b.sigma[i * d + i]!;
  }
  const t = traceSqrtProduct(a.sigma, b.sigma, d);
  return {
    distance: meanTerm + trace1 + trace2 - 2 * t.trace,
    meanTerm,
    trace1,
    trace2,
    traceSqrtProduct: t.trace,
    rank: t.rank,
    clippedEigenvalues: t.clipped,
  };
}
