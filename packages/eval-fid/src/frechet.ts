import { EvalFidError, fail } from './errors.js';
import type { GaussianStatistics } from './gaussian.js';
import { congruenceWork } from './linalg/congruence.js';
import { type DenseWork, runDense, runDenseAsync } from './linalg/dense-work.js';
import { type PivotedCholeskyFactor, pivotedCholeskyWork } from './linalg/pivoted-cholesky.js';
import { symmetricEigenvaluesWork } from './linalg/symmetric-eigenvalues.js';
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
  /**
   * Things the caller should tell the user, one line each: today a covariance of fewer samples
   * than dimensions (singular, so the distance is that of degenerate Gaussians), with its rank.
   */
  readonly warnings: readonly string[];
}

export type FrechetStage = 'validation' | 'cholesky' | 'congruence' | 'eigenvalues';

export interface FrechetOptions {
  /** What to call the two inputs in errors and warnings (default 'sigma1', 'sigma2'). */
  readonly names?: readonly [string, string];
  /** Called once per stage with its wall time in seconds (for benchmarks and profiling). */
  readonly onStage?: (stage: FrechetStage, seconds: number) => void;
}

/**
 * How far a sigma may be from a covariance before it is refused, relative to s = max |Σₖₖ|:
 * |Σᵢⱼ − Σⱼᵢ| ≤ 1e-6·s (float32 storage and summation order give ≲ 1e-7), and its pivoted
 * Cholesky may leave a Schur complement no larger than 1e-6·s, which bounds the negative
 * eigenvalues by −1e-6·s·(dim − rank). Both are far above float64 round-off and far below any
 * real defect (−I, a sign error, a transposed or mixed-up array).
 */
export const COVARIANCE_TOLERANCE = 1e-6;
const TOLERANCE = COVARIANCE_TOLERANCE.toExponential(0);

/** Three significant digits, in exponent form when that is shorter. */
function short(x: number): string {
  const a = Math.abs(x);
  return a !== 0 && (a < 1e-3 || a >= 1e4) ? x.toExponential(2) : x.toPrecision(3);
}

/**
 * Fréchet distance between two Gaussians, as pytorch-fid defines FID:
 * ‖μ1 − μ2‖² + tr Σ1 + tr Σ2 − 2 tr √(Σ1 Σ2), computed by a real symmetric eigenvalue route on
 * the pure-JS kernel. Each sigma must be a covariance (symmetric, positive semi-definite up to
 * COVARIANCE_TOLERANCE); anything else is refused with an error naming it.
 */
export function frechetDistance(
  a: GaussianStatistics,
  b: GaussianStatistics,
  options: FrechetOptions = {},
): FrechetResult {
  return runDense(frechetWork(a, b, options));
}

/** frechetDistance with the large products on `products` (see createOrtProducts). */
export function frechetDistanceAsync(
  a: GaussianStatistics,
  b: GaussianStatistics,
  products: MatrixProducts,
  options: FrechetOptions = {},
): Promise<FrechetResult> {
  return runDenseAsync(frechetWork(a, b, options), products);
}

/**
 * tr √(Σ1 Σ2) for symmetric positive semi-definite Σ1, Σ2 without a matrix square root.
 *
 * Why this route: Σ1 Σ2 is not symmetric, so sqrtm (pytorch-fid) and general eigensolvers
 * (torch-fidelity) work in complex arithmetic and can return imaginary parts. But with
 * Σ2[p, p] = L Lᵀ (pivoted Cholesky, which exists for singular Σ2), Σ1 Σ2 is similar to the
 * symmetric PSD matrix Lᵀ Σ1[p, p] L (r × r), whose eigenvalues are real and ≥ 0 up to rounding;
 * the trace of the square root is the sum of their square roots. No input validation.
 */
export function traceSqrtProduct(
  sigma1: Float64Array,
  sigma2: Float64Array,
  dim: number,
): { trace: number; rank: number; clipped: number } {
  const { trace, rank, clipped } = runDense(
    traceSqrtWork(sigma1, pivotedCholeskyOf(sigma2, dim), dim, () => {}),
  );
  return { trace, rank, clipped };
}

/** As traceSqrtProduct, with the large products on `products` (e.g. onnxruntime float64 Gemm). */
export function traceSqrtProductAsync(
  sigma1: Float64Array,
  sigma2: Float64Array,
  dim: number,
  products: MatrixProducts,
): Promise<{ trace: number; rank: number; clipped: number }> {
  return runDenseAsync(
    (function* () {
      const cholesky = yield* pivotedCholeskyWork(sigma2, dim);
      const { trace, rank, clipped } = yield* traceSqrtWork(sigma1, cholesky, dim, () => {});
      return { trace, rank, clipped };
    })(),
    products,
  );
}

function pivotedCholeskyOf(sigma: Float64Array, dim: number): PivotedCholeskyFactor {
  return runDense(pivotedCholeskyWork(sigma, dim));
}

function* frechetWork(
  a: GaussianStatistics,
  b: GaussianStatistics,
  options: FrechetOptions,
): DenseWork<FrechetResult> {
  if (a.dim !== b.dim) {
    fail('statistics', `two distributions of the same dimension (${a.dim})`, b.dim);
  }
  const d = a.dim;
  const [name1, name2] = options.names ?? ['sigma1', 'sigma2'];
  const onStage = options.onStage ?? (() => {});
  let t = performance.now();
  const stage = (name: FrechetStage) => {
    const now = performance.now();
    onStage(name, (now - t) / 1000);
    t = now;
  };

  const s1 = symmetrized(a.sigma, d, name1);
  const s2 = symmetrized(b.sigma, d, name2);
  stage('validation');
  const cholesky = yield* pivotedCholeskyWork(s2, d);
  requireSemiDefinite(cholesky, s2, d, name2);
  stage('cholesky');
  // Σ1's inertia: with Σ2 of full rank, M = Lᵀ Σ1 L is congruent to Σ1 and shows it (Sylvester's
  // law of inertia, checked below); otherwise Σ1 is factorised on its own to check it.
  let rank1 = -1;
  if (cholesky.rank < d) {
    const check1 = yield* pivotedCholeskyWork(s1, d);
    requireSemiDefinite(check1, s1, d, name1);
    rank1 = check1.rank;
    stage('validation');
  }
  const t2 = yield* traceSqrtWork(s1, cholesky, d, stage);
  if (cholesky.rank === d) {
    const limit = COVARIANCE_TOLERANCE * t2.largest;
    if (!(t2.smallest >= -limit)) {
      throw new EvalFidError(
        name1,
        `expected a positive semi-definite covariance, got one with negative eigenvalues (Lᵀ Σ L, congruent to it, has eigenvalue ${short(t2.smallest)} < −${TOLERANCE}·max|λ| = ${short(-limit)})`,
      );
    }
    rank1 = t2.numericalRank;
  }

  let meanTerm = 0;
  let trace1 = 0;
  let trace2 = 0;
  for (let i = 0; i < d; i++) {
    meanTerm += (a.mu[i]! - b.mu[i]!) ** 2;
    trace1 += s1[i * d + i]!;
    trace2 += s2[i * d + i]!;
  }
  return {
    distance: meanTerm + trace1 + trace2 - 2 * t2.trace,
    meanTerm,
    trace1,
    trace2,
    traceSqrtProduct: t2.trace,
    rank: t2.rank,
    clippedEigenvalues: t2.clipped,
    warnings: [
      ...singularWarning(name1, a.count, rank1, d),
      ...singularWarning(name2, b.count, cholesky.rank, d),
    ],
  };
}

/** M = Lᵀ Σ1[p, p] L and Σ √λ₊(M), from the pivoted Cholesky Σ2[p, p] = L Lᵀ. */
function* traceSqrtWork(
  sigma1: Float64Array,
  cholesky: PivotedCholeskyFactor,
  d: number,
  stage: (name: FrechetStage) => void,
): DenseWork<TraceSqrt> {
  const { lt: Lt, perm, rank: r } = cholesky;
  if (r === 0) return { trace: 0, rank: 0, clipped: 0, smallest: 0, largest: 0, numericalRank: 0 };
  // S1p = Σ1[p, p], symmetric, so its rows are also its columns
  const S1p = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    const src = perm[i]! * d;
    const dst = i * d;
    for (let j = 0; j < d; j++) S1p[dst + j] = sigma1[src + perm[j]!]!;
  }
  const M = yield* congruenceWork(Lt, S1p, d, r);
  stage('congruence');
  const eigenvalues = yield* symmetricEigenvaluesWork(M, r, { full: true });
  stage('eigenvalues');
  let trace = 0;
  let clipped = 0;
  let smallest = Number.POSITIVE_INFINITY;
  let largest = 0;
  for (const lambda of eigenvalues) {
    if (lambda > 0) trace += Math.sqrt(lambda);
    else if (lambda < 0) clipped += 1;
    smallest = Math.min(smallest, lambda);
    largest = Math.max(largest, Math.abs(lambda));
  }
  const floor = r * Number.EPSILON * largest;
  let numericalRank = 0;
  for (const lambda of eigenvalues) if (lambda > floor) numericalRank += 1;
  return { trace, rank: r, clipped, smallest, largest, numericalRank };
}

interface TraceSqrt {
  /** Σ √λ₊ over the eigenvalues of M = Lᵀ Σ1 L. */
  readonly trace: number;
  /** Order of M: the rank of Σ2. */
  readonly rank: number;
  readonly clipped: number;
  readonly smallest: number;
  /** max |λ|. */
  readonly largest: number;
  /** Eigenvalues above r·ε·max |λ|: the rank of Σ1 when Σ2 has full rank. */
  readonly numericalRank: number;
}

/** max |Σₖₖ|: the scale both covariance tolerances refer to. */
function diagonalScale(sigma: Float64Array, d: number): number {
  let s = 0;
  for (let i = 0; i < d; i++) s = Math.max(s, Math.abs(sigma[i * d + i]!));
  return s;
}

/** ½(Σ + Σᵀ) after checking that Σ is symmetric up to COVARIANCE_TOLERANCE. */
/** Tile edge of the symmetrisation: a pair of 64×64 float64 tiles (64 KB) stays in L2. */
const TILE = 64;

/**
 * (Σ + Σᵀ)/2, refusing a Σ that is not symmetric to within the tolerance. Walks the matrix in
 * tiles: the transposed reads of a row-by-row walk touch a new cache line at every element (at
 * 2048-d that made this check a tenth of the whole distance).
 */
function symmetrized(sigma: Float64Array, d: number, name: string): Float64Array {
  const limit = COVARIANCE_TOLERANCE * diagonalScale(sigma, d);
  const out = new Float64Array(d * d);
  let symmetric = true;
  for (let bi = 0; bi < d; bi += TILE) {
    const iEnd = Math.min(bi + TILE, d);
    for (let bj = 0; bj <= bi; bj += TILE) {
      for (let i = bi; i < iEnd; i++) {
        const jEnd = Math.min(bj + TILE, i);
        for (let j = bj; j < jEnd; j++) {
          const lower = sigma[i * d + j]!;
          const upper = sigma[j * d + i]!;
          if (!(Math.abs(lower - upper) <= limit)) symmetric = false;
          const v = 0.5 * (lower + upper);
          out[i * d + j] = v;
          out[j * d + i] = v;
        }
      }
    }
    for (let i = bi; i < iEnd; i++) out[i * d + i] = sigma[i * d + i]!;
  }
  if (!symmetric) throwFirstAsymmetry(sigma, d, name, limit);
  return out;
}

/** Names the first pair (row by row) that breaks symmetry. */
function throwFirstAsymmetry(sigma: Float64Array, d: number, name: string, limit: number): never {
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < i; j++) {
      const lower = sigma[i * d + j]!;
      const upper = sigma[j * d + i]!;
      if (!(Math.abs(lower - upper) <= limit)) {
        throw new EvalFidError(
          name,
          `expected a symmetric covariance (|Σᵢⱼ − Σⱼᵢ| ≤ ${TOLERANCE}·max|Σₖₖ| = ${short(limit)}), got Σ[${i},${j}] = ${lower} but Σ[${j},${i}] = ${upper}`,
        );
      }
    }
  }
  throw new Error('throwFirstAsymmetry: no asymmetric pair');
}

function requireSemiDefinite(
  c: PivotedCholeskyFactor,
  sigma: Float64Array,
  d: number,
  name: string,
): void {
  const limit = COVARIANCE_TOLERANCE * diagonalScale(sigma, d);
  if (!(c.residual <= limit)) {
    throw new EvalFidError(
      name,
      `expected a positive semi-definite covariance, got one with negative eigenvalues (its pivoted Cholesky stops at rank ${c.rank} of ${d} and leaves ${short(c.residual)} > ${TOLERANCE}·max|Σₖₖ| = ${short(limit)})`,
    );
  }
}

function singularWarning(
  name: string,
  count: number | undefined,
  rank: number,
  d: number,
): string[] {
  if (rank >= d && (count === undefined || count > d)) return [];
  const samples = count === undefined ? '' : `${count} samples for ${d} dimensions: `;
  return [
    `${name}: ${samples}the covariance is singular (numerical rank ${rank} of ${d}), so the distance is between degenerate Gaussians and depends strongly on N; use more samples than dimensions`,
  ];
}
