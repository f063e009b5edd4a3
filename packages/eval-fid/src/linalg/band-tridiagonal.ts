import { type BandMatrix, reflector } from './band-reduction.js';

/**
 * Second stage of the two-stage symmetric eigenvalue solver: the band matrix (bandwidth b) is
 * reduced to tridiagonal form by Householder bulge chasing, eigenvalues only, so no reflector is
 * kept (Lang 1993; LAPACK dsytrd_sb2st's kernels). Sweep i annihilates column i below its
 * subdiagonal with a reflector of length b, applies it two-sidedly to the diagonal block, and
 * chases the bulge this creates in the b × b block below down the band, one block at a time: the
 * block takes the reflector from the right, a new reflector clears the block's first column, and
 * that one goes on to the next diagonal block. Work ≈ 6·b·n², all in cache-sized blocks.
 * The band's storage is overwritten.
 */
export function bandToTridiagonal(band: BandMatrix): {
  diagonal: Float64Array;
  offDiagonal: Float64Array;
} {
  const { n, bandwidth: b, width, data: a } = band;
  if (width < 2 * b) throw new RangeError(`band width ${width} leaves no room for the bulge`);
  chase(a, n, b, width);
  const at = (r: number, c: number) => r * (width - 1) + c + width - 1;
  const diagonal = new Float64Array(n);
  const offDiagonal = new Float64Array(Math.max(0, n - 1));
  for (let i = 0; i < n; i++) diagonal[i] = a[at(i, i)]!;
  for (let i = 0; i + 1 < n; i++) offDiagonal[i] = a[at(i + 1, i)]!;
  return { diagonal, offDiagonal };
}

/** All sweeps of the chase, in place on the band storage `a`. */
function chase(a: Float64Array, n: number, b: number, width: number): void {
  const at = (r: number, c: number) => r * (width - 1) + c + width - 1;
  const v = new Float64Array(b);
  const v2 = new Float64Array(b);
  const w = new Float64Array(b);
  const y = new Float64Array(b);
  for (let i = 0; i + 2 < n; i++) {
    let j0 = i + 1;
    let len = Math.min(b, n - j0);
    // reflector clearing A[i+2 .., i]: gathered from column i, then written back as β e₁
    for (let q = 0; q < len; q++) v[q] = a[at(j0 + q, i)]!;
    let tau = reflector(v, 0, len);
    a[at(j0, i)] = v[0]!;
    for (let q = 1; q < len; q++) a[at(j0 + q, i)] = 0;
    v[0] = 1;
    twoSided(a, at, j0, len, v, tau, w);
    for (;;) {
      const r0 = j0 + len;
      if (r0 >= n) break;
      const rows = Math.min(b, n - r0);
      // B = A[r0 : r0+rows, j0 : j0+len] becomes H2 B H in three passes over B: y = τ B v, then
      // H2 from B H's first column (B[:, 0] − y), then z = (B H)ᵀ v2 and the one update
      // B ← B − y vᵀ − τ2 v2 zᵀ (column 0 becomes β2 e₁).
      // (loops unrolled by hand: V8 keeps one accumulator per `+=` chain, so a plain dot product
      // waits on the adder; two rows per pass halve the loads of v and w)
      const stride = width - 1;
      for (let r = 0; r < rows; r++) {
        const o = at(r0 + r, j0);
        let s0 = 0;
        let s1 = 0;
        let s2 = 0;
        let s3 = 0;
        let q = 0;
        for (; q + 3 < len; q += 4) {
          s0 += a[o + q]! * v[q]!;
          s1 += a[o + q + 1]! * v[q + 1]!;
          s2 += a[o + q + 2]! * v[q + 2]!;
          s3 += a[o + q + 3]! * v[q + 3]!;
        }
        for (; q < len; q++) s0 += a[o + q]! * v[q]!;
        y[r] = tau * (s0 + s1 + (s2 + s3));
        v2[r] = a[o]! - y[r]!;
      }
      const tau2 = reflector(v2, 0, rows);
      const beta2 = v2[0]!;
      v2[0] = 1;
      let v2y = 0;
      for (let r = 0; r < rows; r++) v2y += v2[r]! * y[r]!;
      w.fill(0, 0, len);
      let r = 0;
      for (; r + 1 < rows; r += 2) {
        const o = at(r0 + r, j0);
        const o1 = o + stride;
        const va = v2[r]!;
        const vb = v2[r + 1]!;
        for (let q = 1; q < len; q++) w[q] = w[q]! + a[o + q]! * va + a[o1 + q]! * vb;
      }
      if (r < rows) {
        const o = at(r0 + r, j0);
        const va = v2[r]!;
        for (let q = 1; q < len; q++) w[q] = w[q]! + a[o + q]! * va;
      }
      for (let q = 1; q < len; q++) w[q] = tau2 * (w[q]! - v2y * v[q]!);
      for (r = 0; r + 1 < rows; r += 2) {
        const o = at(r0 + r, j0);
        const o1 = o + stride;
        const ya = y[r]!;
        const va = v2[r]!;
        const yb = y[r + 1]!;
        const vb = v2[r + 1]!;
        a[o] = r === 0 ? beta2 : 0;
        a[o1] = 0;
        for (let q = 1; q < len; q++) {
          const vq = v[q]!;
          const wq = w[q]!;
          a[o + q] = a[o + q]! - ya * vq - va * wq;
          a[o1 + q] = a[o1 + q]! - yb * vq - vb * wq;
        }
      }
      if (r < rows) {
        const o = at(r0 + r, j0);
        const ya = y[r]!;
        const va = v2[r]!;
        a[o] = r === 0 ? beta2 : 0;
        for (let q = 1; q < len; q++) a[o + q] = a[o + q]! - ya * v[q]! - va * w[q]!;
      }
      twoSided(a, at, r0, rows, v2, tau2, w);
      j0 = r0;
      len = rows;
      tau = tau2;
      v.set(v2.subarray(0, rows));
    }
  }
}

/**
 * D ← H D H for the diagonal block D = A[j0 : j0+len, j0 : j0+len] (lower triangle stored) and
 * H = I − τ v vᵀ, as LAPACK dsytd2: p = τ D v, w = p − ½ τ (pᵀv) v, D ← D − v wᵀ − w vᵀ.
 */
function twoSided(
  a: Float64Array,
  at: (r: number, c: number) => number,
  j0: number,
  len: number,
  v: Float64Array,
  tau: number,
  p: Float64Array,
): void {
  if (tau === 0) return;
  p.fill(0, 0, len);
  for (let r = 0; r < len; r++) {
    const o = at(j0 + r, j0);
    const vr = v[r]!;
    let s = 0;
    for (let q = 0; q < r; q++) {
      const x = a[o + q]!;
      s += x * v[q]!;
      p[q] = p[q]! + x * vr;
    }
    p[r] = p[r]! + s + a[o + r]! * vr;
  }
  let pv = 0;
  for (let q = 0; q < len; q++) {
    p[q] = p[q]! * tau;
    pv += p[q]! * v[q]!;
  }
  const half = 0.5 * tau * pv;
  for (let q = 0; q < len; q++) p[q] = p[q]! - half * v[q]!;
  for (let r = 0; r < len; r++) {
    const o = at(j0 + r, j0);
    const vr = v[r]!;
    const pr = p[r]!;
    for (let q = 0; q <= r; q++) a[o + q] = a[o + q]! - vr * p[q]! - pr * v[q]!;
  }
}
