import { fail } from './errors.js';
import type { GaussianStatistics } from './gaussian.js';
import { pivotedCholesky } from './linalg/pivoted-cholesky.js';
import { addRowDots } from './linalg/row-dots.js';
import { symmetricEigenvalues } from './linalg/symmetric-eigenvalues.js';
import type { MatrixProducts } from './products.js';

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
  const { Lt, S1p, r } = congruenceOperands(sigma1, sigma2, dim, 'transposed');
  if (r === 0) return { trace: 0, rank: 0, clipped: 0 };
  // Tt = Lᵀ S1p (r × dim), then M = Lᵀ S1p L = Lt Ttᵀ (r × r, upper triangle).
  const Tt = new Float64Array(r * dim);
  addRowDots(Lt, r, S1p, dim, dim, Tt, { aZeroBeforeDiagonal: true });
  const M = new Float64Array(r * r);
  addRowDots(Lt, r, Tt, r, dim, M, { upperOnly: true, aZeroBeforeDiagonal: true });
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < i; j++) M[i * r + j] = M[j * r + i]!; // eigensolver reads the lower triangle
  }
  return { ...traceOfSquareRoot(M, r), rank: r };
}

/** As traceSqrtProduct, with Lᵀ Σ1 L computed by `products` (e.g. onnxruntime float64 MatMul). */
export async function traceSqrtProductAsync(
  sigma1: Float64Array,
  sigma2: Float64Array,
  dim: number,
  products: MatrixProducts,
): Promise<{ trace: number; rank: number; clipped: number }> {
  const { L, S1p, r } = congruenceOperands(sigma1, sigma2, dim, 'plain');
  if (r === 0) return { trace: 0, rank: 0, clipped: 0 };
  const M = await products.congruence(S1p, L, dim, r);
  for (let i = 0; i < r; i++) {
    for (let j = 0; j < i; j++) {
      // a general product is symmetric only up to rounding: use the mean of both halves
      const v = 0.5 * (M[i * r + j]! + M[j * r + i]!);
      M[i * r + j] = v;
      M[j * r + i] = v;
    }
  }
  return { ...traceOfSquareRoot(M, r), rank: r };
}

/**
 * Pivoted Cholesky of Σ2 and Σ1 permuted to match: L as dim × r ('plain') or as its transpose
 * r × dim ('transposed', what the row-dot kernel wants), and Σ1[p, p].
 */
function congruenceOperands(
  sigma1: Float64Array,
  sigma2: Float64Array,
  dim: number,
  layout: 'plain' | 'transposed',
) {
  const { factor, perm, rank: r } = pivotedCholesky(sigma2, dim);
  const plain = layout === 'plain';
  const L = new Float64Array(plain ? dim * r : 0);
  const Lt = new Float64Array(plain ? 0 : r * dim); // row c is column c of L, zero before index c
  for (let i = 0; i < dim; i++) {
    const lim = Math.min(i + 1, r);
    for (let c = 0; c < lim; c++) {
      const v = factor[i * dim + c]!;
      if (plain) L[i * r + c] = v;
      else Lt[c * dim + i] = v;
    }
  }
  // S1p = Σ1[p, p], symmetric so its rows are also its columns.
  const S1p = new Float64Array(dim * dim);
  for (let i = 0; i < dim; i++) {
    const src = perm[i]! * dim;
    const dst = i * dim;
    for (let j = 0; j < dim; j++) S1p[dst + j] = sigma1[src + perm[j]!]!;
  }
  return { L, Lt, S1p, r };
}

/** Σ √λ over the eigenvalues of symmetric PSD M, negatives (rounding noise) taken as 0. */
function traceOfSquareRoot(M: Float64Array, r: number): { trace: number; clipped: number } {
  const eigenvalues = symmetricEigenvalues(M, r);
  let trace = 0;
  let clipped = 0;
  for (const lambda of eigenvalues) {
    if (lambda > 0) trace += Math.sqrt(lambda);
    else if (lambda < 0) clipped += 1;
  }
  return { trace, clipped };
}

/**
 * Fréchet distance between two Gaussians, as pytorch-fid defines FID:
 * ‖μ1 − μ2‖² + tr Σ1 + tr Σ2 − 2 tr √(Σ1 Σ2), computed by a real symmetric eigenvalue route.
 */
export function frechetDistance(a: GaussianStatistics, b: GaussianStatistics): FrechetResult {
  const terms = elementaryTerms(a, b);
  return withTrace(terms, traceSqrtProduct(a.sigma, b.sigma, a.dim));
}

/** frechetDistance with the large products on `products` (see createOrtProducts). */
export async function frechetDistanceAsync(
  a: GaussianStatistics,
  b: GaussianStatistics,
  products: MatrixProducts,
): Promise<FrechetResult> {
  const terms = elementaryTerms(a, b);
  return withTrace(terms, await traceSqrtProductAsync(a.sigma, b.sigma, a.dim, products));
}

function elementaryTerms(
  a: GaussianStatistics,
  b: GaussianStatistics,
): { meanTerm: number; trace1: number; trace2: number } {
  if (a.dim !== b.dim) {
    fail('statistics', `two distributions of the same dimension (${a.dim})`, b.dim);
  }
  const d = a.dim;
  let meanTerm = 0;
  let trace1 = 0;
  let trace2 = 0;
  for (let i = 0; i < d; i++) {
    meanTerm += (a.mu[i]! - b.mu[i]!) ** 2;
    trace1 += a.sigma[i * d + i]!;
    trace2 += b.sigma[i * d + i]!;
  }
  return { meanTerm, trace1, trace2 };
}

function withTrace(
  { meanTerm, trace1, trace2 }: { meanTerm: number; trace1: number; trace2: number },
  t: { trace: number; rank: number; clipped: number },
): FrechetResult {
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
