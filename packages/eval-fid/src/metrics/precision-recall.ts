import { fail } from '../errors.js';
import { type FeatureMatrix, toFloat64Rows } from '../features.js';
import { addRowDots } from '../linalg/row-dots.js';

export interface PrecisionRecallOptions {
  /** k of the k-NN radius (default 3, as the ADM evaluator and torch-fidelity). */
  k?: number;
  /** Rows per distance block, bounding memory to blockRows × N doubles (default 1024). */
  blockRows?: number;
}

export interface PrecisionRecallResult {
  /** Fraction of generated samples inside the real manifold. */
  readonly precision: number;
  /** Fraction of real samples inside the generated manifold. */
  readonly recall: number;
  readonly k: number;
}

/**
 * Improved precision and recall (Kynkäänniemi et al. 2019). Each set's manifold is the union of
 * balls around its samples with radius = distance to the k-th nearest other sample of the same
 * set; a point is covered when it lies within (≤) some ball. Distances are exact float64
 * Euclidean distances (the ADM evaluator uses fp16/fp32), computed blockwise in O(N·M·D).
 */
export function precisionRecall(
  real: FeatureMatrix,
  generated: FeatureMatrix,
  options: PrecisionRecallOptions = {},
): PrecisionRecallResult {
  if (real.dim !== generated.dim) {
    fail('features', `two sets of the same dimension (${real.dim})`, generated.dim);
  }
  const k = options.k ?? 3;
  const blockRows = options.blockRows ?? 1024;
  for (const [name, set] of [
    ['real', real],
    ['generated', generated],
  ] as const) {
    if (set.rows <= k) fail(name, `more than k = ${k} samples`, set.rows);
  }
  const R = toFloat64Rows(real);
  const G = toFloat64Rows(generated);
  const d = real.dim;
  const radiiR = kthNeighbourSquaredRadii(R, real.rows, d, k, blockRows);
  const radiiG = kthNeighbourSquaredRadii(G, generated.rows, d, k, blockRows);
  const precision = coveredFraction(G, generated.rows, R, real.rows, radiiR, d, blockRows);
  const recall = coveredFraction(R, real.rows, G, generated.rows, radiiG, d, blockRows);
  return { precision, recall, k };
}

function squaredNorms(X: Float64Array, n: number, d: number): Float64Array {
  const out = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    let s = 0;
    for (let j = 0; j < d; j++) s += X[i * d + j]! ** 2;
    out[i] = s;
  }
  return out;
}

/** Squared distances between rows [r0, r1) of A and all rows of B, into `out` (rows × nb). */
function squaredDistances(
  A: Float64Array,
  normA: Float64Array,
  r0: number,
  r1: number,
  B: Float64Array,
  normB: Float64Array,
  nb: number,
  d: number,
  out: Float64Array,
): void {
  const rows = r1 - r0;
  out.fill(0, 0, rows * nb);
  addRowDots(A.subarray(r0 * d, r1 * d), rows, B, nb, d, out);
  for (let i = 0; i < rows; i++) {
    for (let j = 0; j < nb; j++) {
      out[i * nb + j] = Math.max(0, normA[r0 + i]! + normB[j]! - 2 * out[i * nb + j]!);
    }
  }
}

/** For each row, the squared distance to its k-th nearest other row (self excluded). */
function kthNeighbourSquaredRadii(
  X: Float64Array,
  n: number,
  d: number,
  k: number,
  blockRows: number,
): Float64Array {
  const norms = squaredNorms(X, n, d);
  const radii = new Float64Array(n);
  const block = new Float64Array(Math.min(blockRows, n) * n);
  const row = new Float64Array(n - 1);
  for (let r0 = 0; r0 < n; r0 += blockRows) {
    const r1 = Math.min(n, r0 + blockRows);
    squaredDistances(X, norms, r0, r1, X, norms, n, d, block);
    for (let i = r0; i < r1; i++) {
      let w = 0;
      for (let j = 0; j < n; j++) if (j !== i) row[w++] = block[(i - r0) * n + j]!;
      radii[i] = kthSmallest(row, k);
    }
  }
  return radii;
}

function coveredFraction(
  Q: Float64Array,
  nq: number,
  X: Float64Array,
  nx: number,
  radii: Float64Array,
  d: number,
  blockRows: number,
): number {
  const normQ = squaredNorms(Q, nq, d);
  const normX = squaredNorms(X, nx, d);
  const block = new Float64Array(Math.min(blockRows, nq) * nx);
  let covered = 0;
  for (let r0 = 0; r0 < nq; r0 += blockRows) {
    const r1 = Math.min(nq, r0 + blockRows);
    squaredDistances(Q, normQ, r0, r1, X, normX, nx, d, block);
    for (let i = 0; i < r1 - r0; i++) {
      for (let j = 0; j < nx; j++) {
        if (block[i * nx + j]! <= radii[j]!) {
          covered += 1;
          break;
        }
      }
    }
  }
  return covered / nq;
}

/** k-th smallest (1-based) of `values` (reordered in place), by quickselect. */
function kthSmallest(values: Float64Array, k: number): number {
  let lo = 0;
  let hi = values.length - 1;
  const target = k - 1;
  while (lo < hi) {
    const pivot = values[(lo + hi) >> 1]!;
    let i = lo;
    let j = hi;
    while (i <= j) {
      while (values[i]! < pivot) i++;
      while (values[j]! > pivot) j--;
      if (i <= j) {
        const t = values[i]!;
        values[i] = values[j]!;
        values[j] = t;
        i++;
        j--;
      }
    }
    if (target <= j) hi = j;
    else if (target >= i) lo = i;
    else break;
  }
  return values[target]!;
}
