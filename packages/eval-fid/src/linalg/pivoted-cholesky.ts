/**
 * Pivoted Cholesky of a symmetric positive semi-definite matrix: S[p, p] = L Lᵀ with L lower
 * trapezoidal (n × rank). Choosing the largest remaining diagonal as pivot makes the factor exist
 * for singular S (a covariance from N ≤ D samples) and reveals the rank: the factorisation stops
 * when no positive diagonal remains.
 */
export interface PivotedCholesky {
  /** n × n row-major storage; columns ≥ rank are zero. Row i belongs to original index perm[i]. */
  readonly factor: Float64Array;
  readonly perm: Int32Array;
  readonly rank: number;
}

export function pivotedCholesky(S: Float64Array, n: number): PivotedCholesky {
  const perm = Int32Array.from({ length: n }, (_, i) => i);
  const diag = new Float64Array(n);
  for (let i = 0; i < n; i++) diag[i] = S[i * n + i]!;
  const L = new Float64Array(n * n);
  let rank = 0;
  for (let k = 0; k < n; k++) {
    let piv = k;
    for (let i = k + 1; i < n; i++) if (diag[i]! > diag[piv]!) piv = i;
    // Stop at a non-positive Schur complement: the rest of S is (numerically) in the span so far.
    if (!(diag[piv]! > 0)) break;
    if (piv !== k) {
      swap(perm, piv, k);
      swap(diag, piv, k);
      const rp = piv * n;
      const rk = k * n;
      for (let c = 0; c < k; c++) swap(L, rp + c, rk + c);
    }
    const lkk = Math.sqrt(diag[k]!);
    const rk = k * n;
    const pk = perm[k]!;
    L[rk + k] = lkk;
    for (let i = k + 1; i < n; i++) {
      const ri = i * n;
      let s0 = S[perm[i]! * n + pk]!;
      let s1 = 0;
      let c = 0;
      for (; c + 1 < k; c += 2) {
        s0 -= L[ri + c]! * L[rk + c]!;
        s1 -= L[ri + c + 1]! * L[rk + c + 1]!;
      }
      if (c < k) s0 -= L[ri + c]! * L[rk + c]!;
      const lik = (s0 + s1) / lkk;
      L[ri + k] = lik;
      diag[i] = diag[i]! - lik * lik;
    }
    rank = k + 1;
  }
  return { factor: L, perm, rank };
}

function swap(a: Float64Array | Int32Array, i: number, j: number): void {
  const t = a[i]!;
  a[i] = a[j]!;
  a[j] = t;
}
