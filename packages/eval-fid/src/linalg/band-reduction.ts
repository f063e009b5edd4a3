import { type BandMatrix, bandIndex } from './band-matrix.js';
import { reflector } from './bulge-chase-kernel.js';
import type { DenseWork } from './dense-work.js';
import { transpose } from './dense-work.js';

/**
 * First stage of a two-stage symmetric eigenvalue solver: Qᵀ A Q = B with B banded (bandwidth b),
 * all heavy work in Products (Bischof, Lang & Sun 2000, "successive band reduction"; LAPACK
 * dsytrd_sy2sb). Panel by panel, the b columns below the band are QR-factorised, Q = I − V T Vᵀ
 * (compact WY), and the trailing matrix S takes the two-sided update
 *   Y = S V T,  Z = Y − ½ V (Tᵀ Vᵀ Y),  S ← S − V Zᵀ − Z Vᵀ,
 * which is Qᵀ S Q written as a rank-2b update. Unlike one-stage tridiagonalisation, no step is a
 * matrix–vector product, so nothing is bound by memory bandwidth. A is read in full (both
 * triangles) and not modified. The band is returned with width 2b for the chase that follows.
 */
export function* reduceToBandWork(A: Float64Array, n: number, b: number): DenseWork<BandMatrix> {
  const band: BandMatrix = { n, bandwidth: b, width: 2 * b, data: new Float64Array(n * 2 * b) };
  // Two buffers for all panels: the trailing matrix (after the first panel) and S[b:, b:].
  const size = Math.max(0, n - b) ** 2;
  const work = new Float64Array(size);
  const from = new Float64Array(size);
  let S = A;
  let m = n;
  let off = 0;
  while (m > b + 1) {
    const rest = m - b;
    // the diagonal block S[0:b, 0:b] is band as it stands
    for (let i = 0; i < b; i++) {
      for (let j = 0; j <= i; j++) band.data[bandIndex(band, off + i, off + j)] = S[i * m + j]!;
    }
    // panel P = S[b:, 0:b], held transposed: row j is column j, i.e. S[j, b:] (symmetry)
    const Pt = new Float64Array(b * rest);
    for (let j = 0; j < b; j++) Pt.set(S.subarray(j * m + b, j * m + m), j * rest);
    const tau = householderQr(Pt, b, rest);
    // R (upper triangle of the factored panel) is band: (off+b+i, off+j) for i ≤ j
    for (let j = 0; j < b; j++) {
      for (let i = 0; i <= Math.min(j, rest - 1); i++) {
        band.data[bandIndex(band, off + b + i, off + j)] = Pt[j * rest + i]!;
      }
    }
    // the kr reflectors as rows (unit diagonal, zeros before it): Vt over S[b:, b:]'s indices and
    // Vpad over S's, so that S[b:, :] · Vpadᵀ = S[b:, b:] · V needs no copy of S
    const kr = Math.min(b, rest);
    const Vt = new Float64Array(kr * rest);
    const Vpad = new Float64Array(kr * m);
    for (let j = 0; j < kr; j++) {
      Vt[j * rest + j] = 1;
      Vt.set(Pt.subarray(j * rest + j + 1, (j + 1) * rest), j * rest + j + 1);
      Vpad.set(Vt.subarray(j * rest, (j + 1) * rest), j * m + b);
    }
    const VtV = yield { a: Vt, b: Vt, m: kr, n: kr, k: rest, transposeB: true, symmetric: 'full' };
    const T = triangularFactor(VtV, tau, kr);
    const SV = yield { a: S.subarray(b * m), b: Vpad, m: rest, n: kr, k: m, transposeB: true };
    const Y = yield { a: SV, b: T, m: rest, n: kr, k: kr, transposeB: false };
    const VtY = yield { a: Vt, b: Y, m: kr, n: kr, k: rest, transposeB: false };
    // ½ X = ½ Tᵀ (Vᵀ Y), so that Z = Y − V (½ X)
    const halfX = new Float64Array(kr * kr);
    for (let i = 0; i < kr; i++) {
      for (let j = 0; j < kr; j++) {
        let s = 0;
        for (let q = 0; q <= i; q++) s += T[q * kr + i]! * VtY[q * kr + j]!;
        halfX[i * kr + j] = 0.5 * s;
      }
    }
    const V = transpose(Vt, kr, rest);
    const Z = yield { a: V, b: halfX, m: rest, n: kr, k: kr, transposeB: false, from: Y };
    // S ← S[b:, b:] − [V Z] [Z V]ᵀ
    const w = 2 * kr;
    const W1 = new Float64Array(rest * w);
    const W2 = new Float64Array(rest * w);
    for (let i = 0; i < rest; i++) {
      const v = V.subarray(i * kr, (i + 1) * kr);
      const z = Z.subarray(i * kr, (i + 1) * kr);
      W1.set(v, i * w);
      W1.set(z, i * w + kr);
      W2.set(z, i * w);
      W2.set(v, i * w + kr);
    }
    const S22 = from.subarray(0, rest * rest);
    for (let i = 0; i < rest; i++) {
      const o = (b + i) * m + b;
      S22.set(S.subarray(o, o + rest), i * rest);
    }
    // S is used up: the update may overwrite it (after the first panel S is `work`)
    S = yield {
      a: W1,
      b: W2,
      m: rest,
      n: rest,
      k: w,
      transposeB: true,
      from: S22,
      symmetric: 'full',
      into: work.subarray(0, rest * rest),
    };
    m = rest;
    off += b;
  }
  for (let i = 0; i < m; i++) {
    for (let j = 0; j <= i; j++) band.data[bandIndex(band, off + i, off + j)] = S[i * m + j]!;
  }
  return band;
}

/**
 * Householder QR of a rows × cols panel given transposed (Pt: cols × rows, row j = column j),
 * in place as LAPACK dgeqr2: R on and above the diagonal, the reflectors' tails below it
 * (their leading 1 implicit). Returns the reflectors' τ.
 */
function householderQr(Pt: Float64Array, cols: number, rows: number): Float64Array {
  const tau = new Float64Array(cols);
  for (let j = 0; j < Math.min(cols, rows); j++) {
    const o = j * rows;
    const t = reflector(Pt, o + j, rows - j);
    tau[j] = t;
    if (t === 0) continue;
    // apply H = I − τ v vᵀ (v = [1, Pt[o+j+1..]]) to the later columns (four partial sums:
    // a single `+=` chain would wait on the adder)
    for (let q = j + 1; q < cols; q++) {
      const oq = q * rows;
      let w0 = Pt[oq + j]!;
      let w1 = 0;
      let w2 = 0;
      let w3 = 0;
      let i = j + 1;
      for (; i + 3 < rows; i += 4) {
        w0 += Pt[o + i]! * Pt[oq + i]!;
        w1 += Pt[o + i + 1]! * Pt[oq + i + 1]!;
        w2 += Pt[o + i + 2]! * Pt[oq + i + 2]!;
        w3 += Pt[o + i + 3]! * Pt[oq + i + 3]!;
      }
      for (; i < rows; i++) w0 += Pt[o + i]! * Pt[oq + i]!;
      const w = t * (w0 + w1 + (w2 + w3));
      Pt[oq + j] = Pt[oq + j]! - w;
      for (i = j + 1; i < rows; i++) Pt[oq + i] = Pt[oq + i]! - w * Pt[o + i]!;
    }
  }
  return tau;
}

/** T of Q = H₁⋯H_b = I − V T Vᵀ (LAPACK dlarft, forward, columnwise) from VᵀV and τ. */
function triangularFactor(VtV: Float64Array, tau: Float64Array, b: number): Float64Array {
  const T = new Float64Array(b * b);
  for (let j = 0; j < b; j++) {
    const t = tau[j]!;
    T[j * b + j] = t;
    // T[0:j, j] = −τ_j T[0:j, 0:j] (Vᵀ v_j)[0:j]
    for (let i = 0; i < j; i++) {
      let s = 0;
      for (let q = i; q < j; q++) s += T[i * b + q]! * VtV[q * b + j]!;
      T[i * b + j] = -t * s;
    }
  }
  return T;
}
