import { pivotedCholesky, symmetricEigenvalues } from '../src/index.js';
import { normals, rotatedDiagonal } from './random.js';

function sorted(a: Float64Array): number[] {
  return Array.from(a).sort((x, y) => x - y);
}

describe('symmetricEigenvalues', () => {
  test('2 × 2 closed form', () => {
    // [[2, 1], [1, 2]] has eigenvalues 1 and 3
    expect(sorted(symmetricEigenvalues(new Float64Array([2, 1, 1, 2]), 2))).toEqual([
      expect.closeTo(1, 14),
      expect.closeTo(3, 14),
    ]);
  });

  test('recovers the spectrum of Q diag(λ) Qᵀ, including repeated and zero eigenvalues', () => {
    const d = 40;
    const lambda = new Float64Array(d).map((_, i) => (i < 5 ? 0 : i < 10 ? 2 : i * 0.37));
    const got = sorted(symmetricEigenvalues(rotatedDiagonal(lambda, 7), d));
    const want = sorted(lambda);
    for (let i = 0; i < d; i++) expect(Math.abs(got[i]! - want[i]!)).toBeLessThan(1e-12 * 15);
  });

  test('reads only the lower triangle', () => {
    const A = new Float64Array([4, 999, 999, 1, 3, 999, 0, 1, 2]);
    const sum = symmetricEigenvalues(A, 3).reduce((s, x) => s + x, 0);
    expect(sum).toBeCloseTo(9, 12);
  });

  test('trace and Frobenius norm are preserved for a random symmetric matrix', () => {
    const d = 57;
    const x = normals(3, d * d);
    const A = new Float64Array(d * d);
    let trace = 0;
    let frob = 0;
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        const v = x[Math.max(i, j) * d + Math.min(i, j)]!;
        A[i * d + j] = v;
        frob += v * v;
      }
      trace += A[i * d + i]!;
    }
    const lam = symmetricEigenvalues(A, d);
    expect(lam.reduce((s, v) => s + v, 0)).toBeCloseTo(trace, 10);
    expect(lam.reduce((s, v) => s + v * v, 0)).toBeCloseTo(frob, 9);
  });
});

describe('pivotedCholesky', () => {
  test('reconstructs S[p, p] and finds the rank of a singular matrix', () => {
    const d = 30;
    const rank = 12;
    const G = normals(11, d * rank); // S = G Gᵀ has rank 12
    const S = new Float64Array(d * d);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        let s = 0;
        for (let k = 0; k < rank; k++) s += G[i * rank + k]! * G[j * rank + k]!;
        S[i * d + j] = s;
      }
    }
    const { factor: L, perm, rank: r } = pivotedCholesky(S, d);
    expect(r).toBeGreaterThanOrEqual(rank);
    let maxErr = 0;
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        let s = 0;
        for (let k = 0; k < r; k++) s += L[i * d + k]! * L[j * d + k]!;
        maxErr = Math.max(maxErr, Math.abs(s - S[perm[i]! * d + perm[j]!]!));
      }
    }
    expect(maxErr).toBeLessThan(1e-10);
    // beyond the true rank only rounding noise is left
    for (let k = rank; k < r; k++) expect(Math.abs(L[k * d + k]!)).toBeLessThan(1e-6);
  });
});
