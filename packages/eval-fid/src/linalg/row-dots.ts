/**
 * The one dense kernel this package needs: C[i, j] += Σ_k A[i, k] · B[j, k] for row-major A (m × k)
 * and B (n × k), i.e. C += A Bᵀ. Every product here (scatter matrices, S·L, Lᵀ·T) is written in
 * that form so the innermost loop walks two contiguous rows.
 *
 * Speed in plain JS comes from (1) a 2 × 4 register block: six row streams feed eight running
 * sums, so each load is used four or two times; (2) cache blocking: a panel of KB columns of
 * NB rows of B is reused by every row of A while it sits in L2.
 */
export interface RowDotsOptions {
  /** Only compute C[i, j] with j ≥ i (for symmetric results; A and B are the same matrix). */
  upperOnly?: boolean;
  /**
   * A[i, k] is known to be zero for k < i (A is the transpose of a lower-triangular factor):
   * sums for row i start at column i, which skips the zero half of the work.
   */
  aZeroBeforeDiagonal?: boolean;
  /** Rows of B to compute (default all n). */
  nLimit?: number;
}

const KB = 256; // columns per panel: 2 KiB per row segment
const NB = 64; // rows of B per panel: 128 KiB, fits in L2 with the A rows

export function addRowDots(
  A: Float64Array,
  m: number,
  B: Float64Array,
  n: number,
  k: number,
  C: Float64Array,
  options: RowDotsOptions = {},
): void {
  const upper = options.upperOnly ?? false;
  const skewA = options.aZeroBeforeDiagonal ?? false;
  for (let k0 = 0; k0 < k; k0 += KB) {
    const k1 = Math.min(k, k0 + KB);
    for (let j0 = 0; j0 < n; j0 += NB) {
      const j1 = Math.min(n, j0 + NB);
      const iEnd = upper ? Math.min(m, j1) : m;
      for (let i = 0; i < iEnd; i += 2) {
        const i2 = i + 1 < m;
        // rows i, i+1 of A are zero before column i when skewA
        const ks = skewA ? Math.max(k0, i) : k0;
        if (ks >= k1) continue;
        const a0 = i * k;
        const a1 = i2 ? a0 + k : a0; // duplicate row 0 when m is odd; its result is dropped
        const jStart = upper ? Math.max(j0, i - (i % 4)) : j0;
        let j = jStart - ((jStart - j0) % 4);
        for (; j + 3 < j1; j += 4) {
          const b0 = j * k;
          const b1 = b0 + k;
          const b2 = b1 + k;
          const b3 = b2 + k;
          let s00 = 0;
          let s01 = 0;
          let s02 = 0;
          let s03 = 0;
          let s10 = 0;
          let s11 = 0;
          let s12 = 0;
          let s13 = 0;
          for (let t = ks; t < k1; t++) {
            const x0 = A[a0 + t]!;
            const x1 = A[a1 + t]!;
            const y0 = B[b0 + t]!;
            const y1 = B[b1 + t]!;
            const y2 = B[b2 + t]!;
            const y3 = B[b3 + t]!;
            s00 += x0 * y0;
            s01 += x0 * y1;
            s02 += x0 * y2;
            s03 += x0 * y3;
            s10 += x1 * y0;
            s11 += x1 * y1;
            s12 += x1 * y2;
            s13 += x1 * y3;
          }
          const c0 = i * n + j;
          C[c0] = C[c0]! + s00;
          C[c0 + 1] = C[c0 + 1]! + s01;
          C[c0 + 2] = C[c0 + 2]! + s02;
          C[c0 + 3] = C[c0 + 3]! + s03;
          if (i2) {
            const c1 = c0 + n;
            C[c1] = C[c1]! + s10;
            C[c1 + 1] = C[c1 + 1]! + s11;
            C[c1 + 2] = C[c1 + 2]! + s12;
            C[c1 + 3] = C[c1 + 3]! + s13;
          }
        }
        for (; j < j1; j++) {
          const b0 = j * k;
          let s0 = 0;
          let s1 = 0;
          for (let t = ks; t < k1; t++) {
            const y = B[b0 + t]!;
            s0 += A[a0 + t]! * y;
            s1 += A[a1 + t]! * y;
          }
          C[i * n + j] = C[i * n + j]! + s0;
          if (i2) C[(i + 1) * n + j] = C[(i + 1) * n + j]! + s1;
        }
      }
    }
  }
}
