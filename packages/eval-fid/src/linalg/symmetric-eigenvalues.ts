import { EvalFidError } from '../errors.js';
import { reduceToBandWork } from './band-reduction.js';
import { tridiagonalOf } from './band-tridiagonal.js';
import { type DenseWork, mirrorLower, runDense } from './dense-work.js';

/**
 * All eigenvalues of a real symmetric n × n matrix (row-major; only the lower triangle is read),
 * in float64, without eigenvectors. Orthogonal similarity transformations reduce it to tridiagonal
 * form, then the implicit QL algorithm with Wilkinson-type shifts finds the eigenvalues, so they
 * are real by construction and accurate to about n·ε·‖A‖ (no complex arithmetic, unlike a general
 * eigensolver or sqrtm). Small matrices are tridiagonalised directly (Householder, in cache);
 * larger ones in two stages, dense → band (all Products) → tridiagonal (bulge chasing).
 */
export function symmetricEigenvalues(input: Float64Array, n: number): Float64Array {
  return runDense(symmetricEigenvaluesWork(input, n));
}

/**
 * Bandwidth of the two-stage route (Products of inner size b and 2b; chase work 6·b·n²), or 0
 * for the direct reduction, which is faster while the matrix sits in cache.
 */
export function bandwidthFor(n: number): number {
  return n < 256 ? 0 : 32;
}

export interface EigenvalueOptions {
  /** Both triangles of the input hold the matrix (spares the copy that mirrors the lower one). */
  readonly full?: boolean;
  /** Bandwidth of the two-stage route, 0 for the direct one (default: bandwidthFor(n)). */
  readonly bandwidth?: number;
}

export function* symmetricEigenvaluesWork(
  input: Float64Array,
  n: number,
  options: EigenvalueOptions = {},
): DenseWork<Float64Array> {
  const bandwidth = options.bandwidth ?? bandwidthFor(n);
  if (bandwidth < 1 || n <= bandwidth + 1) {
    const { diagonal, offDiagonal } = tridiagonalize(Float64Array.from(input), n);
    return tridiagonalEigenvalues(diagonal, offDiagonal);
  }
  let full = input;
  if (!options.full) {
    full = Float64Array.from(input);
    mirrorLower(full, n);
  }
  const band = yield* reduceToBandWork(full, n, bandwidth);
  yield { chase: band };
  const { diagonal, offDiagonal } = tridiagonalOf(band);
  return tridiagonalEigenvalues(diagonal, offDiagonal);
}

/** Householder tridiagonalisation in place (lower triangle). e[k] couples d[k] and d[k+1]. */
function tridiagonalize(
  A: Float64Array,
  n: number,
): { diagonal: Float64Array; offDiagonal: Float64Array } {
  const d = new Float64Array(n);
  const e = new Float64Array(Math.max(0, n - 1));
  const v = new Float64Array(n);
  const p = new Float64Array(n);
  for (let k = 0; k + 2 < n; k++) {
    d[k] = A[k * n + k]!;
    // reflect x = A[k+1:, k] onto a multiple of the first unit vector
    const x0 = A[(k + 1) * n + k]!;
    let tail = 0;
    for (let i = k + 2; i < n; i++) tail += A[i * n + k]! ** 2;
    if (tail === 0) {
      e[k] = x0; // already tridiagonal in this column
      continue;
    }
    const norm = Math.sqrt(x0 * x0 + tail);
    const alpha = x0 >= 0 ? -norm : norm; // opposite sign to x0 avoids cancellation in v0
    e[k] = alpha;
    for (let i = k + 1; i < n; i++) v[i] = A[i * n + k]!;
    v[k + 1] = x0 - alpha;
    const beta = 2 / ((x0 - alpha) ** 2 + tail);
    // p = beta · A22 v, reading only the lower triangle of A22 (each stored entry used twice)
    for (let i = k + 1; i < n; i++) p[i] = 0;
    for (let i = k + 1; i < n; i++) {
      const ri = i * n;
      const vi = v[i]!;
      let s = 0;
      for (let j = k + 1; j < i; j++) {
        const a = A[ri + j]!;
        s += a * v[j]!;
        p[j] = p[j]! + a * vi;
      }
      p[i] = p[i]! + s + A[ri + i]! * vi;
    }
    let pv = 0;
    for (let i = k + 1; i < n; i++) {
      p[i] = p[i]! * beta;
      pv += p[i]! * v[i]!;
    }
    // w = p − (beta/2)(pᵀv) v;  A22 ← A22 − v wᵀ − w vᵀ  (lower triangle only)
    const half = 0.5 * beta * pv;
    for (let i = k + 1; i < n; i++) p[i] = p[i]! - half * v[i]!;
    for (let i = k + 1; i < n; i++) {
      const ri = i * n;
      const vi = v[i]!;
      const wi = p[i]!;
      for (let j = k + 1; j <= i; j++) A[ri + j] = A[ri + j]! - vi * p[j]! - wi * v[j]!;
    }
  }
  if (n >= 2) {
    d[n - 2] = A[(n - 2) * n + n - 2]!;
    e[n - 2] = A[(n - 1) * n + n - 2]!;
  }
  if (n >= 1) d[n - 1] = A[(n - 1) * n + n - 1]!;
  return { diagonal: d, offDiagonal: e };
}

/**
 * Eigenvalues of the symmetric tridiagonal matrix (d, e) by implicit QL with shifts.
 * `d` is overwritten with the (unsorted) eigenvalues and returned.
 *
 * An off-diagonal counts as negligible below ε·‖T‖ (EISPACK tql1's test), not below ε times its
 * two neighbours (Numerical Recipes' tqli): each sweep rotates through the whole unreduced block,
 * so an element next to eigenvalues far below ‖T‖ carries rounding noise of about ε·‖T‖ and never
 * gets under the local threshold. That is what a covariance of fewer samples than dimensions gives
 * (a cluster of zero eigenvalues under large ones), where the local test did not converge. Zeroing
 * an element below ε·‖T‖ moves each eigenvalue by at most that, the accuracy of the reduction.
 */
export function tridiagonalEigenvalues(d: Float64Array, eIn: Float64Array): Float64Array {
  const n = d.length;
  const e = new Float64Array(n);
  e.set(eIn.subarray(0, Math.max(0, n - 1)));
  let norm = 0; // ‖T‖∞
  for (let i = 0; i < n; i++) {
    const row = Math.abs(d[i]!) + Math.abs(e[i]!) + (i > 0 ? Math.abs(e[i - 1]!) : 0);
    if (row > norm) norm = row;
  }
  const negligible = Number.EPSILON * norm;
  for (let l = 0; l < n; l++) {
    for (let iteration = 0; ; iteration++) {
      // find the first negligible off-diagonal at or after l: the block l..m is unreduced
      let m = l;
      for (; m < n - 1; m++) {
        if (Math.abs(e[m]!) <= negligible) break;
      }
      if (m === l) break;
      if (iteration === 60) {
        throw new EvalFidError('eigenvalues', `QL iteration did not converge at index ${l}`);
      }
      // shift from the leading 2 × 2 block
      let g = (d[l + 1]! - d[l]!) / (2 * e[l]!);
      let r = norm2(g, 1);
      g = d[m]! - d[l]! + e[l]! / (g + (g >= 0 ? r : -r));
      let s = 1;
      let c = 1;
      let shift = 0;
      let deflated = false;
      for (let i = m - 1; i >= l; i--) {
        const f = s * e[i]!;
        const b = c * e[i]!;
        r = norm2(f, g);
        e[i + 1] = r;
        if (r === 0) {
          // underflow: the block splits here; restart from l
          d[i + 1] = d[i + 1]! - shift;
          e[m] = 0;
          deflated = true;
          break;
        }
        s = f / r;
        c = g / r;
        g = d[i + 1]! - shift;
        r = (d[i]! - g) * s + 2 * c * b;
        shift = s * r;
        d[i + 1] = g + shift;
        g = c * r - b;
      }
      if (deflated) continue;
      d[l] = d[l]! - shift;
      e[l] = g;
      e[m] = 0;
    }
  }
  return d;
}

/**
 * √(x² + y²). Math.hypot is ~10× slower than this in V8 and the QL sweep calls it n² times, so
 * it is kept only for the rare operands whose squares overflow or underflow.
 */
function norm2(x: number, y: number): number {
  const r = Math.sqrt(x * x + y * y);
  return r < Number.POSITIVE_INFINITY && r > 1e-150 ? r : Math.hypot(x, y);
}
