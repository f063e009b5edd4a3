import { pivotedCholesky, symmetricEigenvalues } from '../src/index.js';
import { jsProduct, runDense } from '../src/linalg/dense-work.js';
import { symmetricEigenvaluesWork } from '../src/linalg/symmetric-eigenvalues.js';
import { normals, randomSymmetric, rotatedDiagonal } from './random.js';

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
    expect(sorted(symmetricEigenvalues(A, 3)).length).toBe(3);
    expect(sum).toBeCloseTo(9, 12);
  });

  test('trace and Frobenius norm are preserved for a random symmetric matrix', () => {
    const d = 57;
    const A = randomSymmetric(d, 3);
    let trace = 0;
    let frob = 0;
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) frob += A[i * d + j]! ** 2;
      trace += A[i * d + i]!;
    }
    const lam = symmetricEigenvalues(A, d);
    expect(lam.reduce((s, v) => s + v, 0)).toBeCloseTo(trace, 10);
    expect(lam.reduce((s, v) => s + v * v, 0)).toBeCloseTo(frob, 9);
  });

  // The two-stage route (dense → band → tridiagonal) against a known spectrum, for bandwidths
  // that do and do not divide n (the last panel is then narrower than the band).
  test.each([
    [300, 8],
    [301, 16],
    [333, 32],
    [97, 40],
    [70, 3],
  ])('two stages recover Q diag(λ) Qᵀ: n = %i, bandwidth %i', (d, b) => {
    const lambda = new Float64Array(d).map((_, i) => (i % 11 === 0 ? 0 : 0.5 + i * 0.01));
    lambda[3] = -2; // symmetric, not definite: the solver does not care
    const A = rotatedDiagonal(lambda, d, 5);
    const got = sorted(runDense(symmetricEigenvaluesWork(A, d, { bandwidth: b })));
    const want = sorted(lambda);
    let err = 0;
    for (let i = 0; i < d; i++) err = Math.max(err, Math.abs(got[i]! - want[i]!));
    expect(err).toBeLessThan(1e-12 * d);
  });

  // A cluster of zero eigenvalues under large ones, as Lᵀ Σ1 L has when Σ1 is the covariance of
  // fewer samples than dimensions: rounding noise of ε·‖A‖ next to the cluster never fell below a
  // threshold relative to its zero neighbours, and QL did not converge.
  test.each([
    [120, 0],
    [300, 32],
  ])('a cluster of zeros under large eigenvalues: n = %i, bandwidth %i', (d, b) => {
    const lambda = new Float64Array(d).map((_, i) => (i < (2 * d) / 3 ? 0 : 100 + i));
    const A = rotatedDiagonal(lambda, 21, 8);
    const got = sorted(runDense(symmetricEigenvaluesWork(A, d, { bandwidth: b })));
    const want = sorted(lambda);
    let err = 0;
    for (let i = 0; i < d; i++) err = Math.max(err, Math.abs(got[i]! - want[i]!));
    expect(err).toBeLessThan(1e-13 * d * (100 + d));
  });

  test('two stages agree with the direct route on a random symmetric matrix (n = 400)', () => {
    const d = 400;
    const A = randomSymmetric(d, 9);
    const direct = sorted(runDense(symmetricEigenvaluesWork(A, d, { bandwidth: 0 })));
    const banded = sorted(symmetricEigenvalues(A, d));
    let err = 0;
    for (let i = 0; i < d; i++) err = Math.max(err, Math.abs(direct[i]! - banded[i]!));
    expect(err).toBeLessThan(1e-11 * Math.sqrt(d));
  });
});

describe('pivotedCholesky', () => {
  function lowRank(d: number, rank: number, seed: number): Float64Array {
    const G = normals(seed, d * rank); // S = G Gᵀ has rank `rank`
    return jsProduct({ a: G, b: G, m: d, n: d, k: rank, transposeB: true, symmetric: 'full' });
  }

  function maxReconstructionError(S: Float64Array, d: number): number {
    const { factor: L, perm, rank: r } = pivotedCholesky(S, d);
    let maxErr = 0;
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        let s = 0;
        for (let k = 0; k < r; k++) s += L[i * d + k]! * L[j * d + k]!;
        maxErr = Math.max(maxErr, Math.abs(s - S[perm[i]! * d + perm[j]!]!));
      }
    }
    return maxErr;
  }

  test('reconstructs S[p, p] and finds the rank of a singular matrix', () => {
    const d = 30;
    const S = lowRank(d, 12, 11);
    const c = pivotedCholesky(S, d);
    expect(c.rank).toBe(12);
    expect(c.residual).toBeLessThan(1e-12);
    expect(maxReconstructionError(S, d)).toBeLessThan(1e-10);
  });

  test.each([
    [200, 200],
    [200, 150],
    [131, 70],
  ])('blocked panels: d = %i, rank %i', (d, rank) => {
    const S = lowRank(d, rank, d + rank);
    const c = pivotedCholesky(S, d);
    expect(c.rank).toBe(rank);
    expect(maxReconstructionError(S, d)).toBeLessThan(1e-9);
    // pivots are non-increasing: the largest remaining diagonal is always taken
    for (let k = 1; k < c.rank; k++) {
      expect(c.factor[k * d + k]!).toBeLessThanOrEqual(
        c.factor[(k - 1) * d + k - 1]! * (1 + 1e-12),
      );
    }
  });

  test('an indefinite matrix leaves a large residual', () => {
    const d = 100;
    const lambda = new Float64Array(d).map((_, i) => 1 + i);
    lambda[70] = -3;
    const c = pivotedCholesky(rotatedDiagonal(lambda, 4), d);
    expect(c.rank).toBeLessThan(d);
    expect(c.residual).toBeGreaterThan(1);
  });
});
