import { Rng } from '@ns/random';
import { fail } from '../errors.js';
import { type FeatureMatrix, gatherRows } from '../features.js';
import { addRowDots } from '../linalg/row-dots.js';

/**
 * Unbiased squared MMD with the cubic polynomial kernel k(x, y) = (xᵀy / D + 1)³ between two
 * equally sized sets x and y (m × D, row-major float64), as in Bińkowski et al. 2018 and the
 * reference tools (clean-fid's kernel_distance, torch-fidelity's KID):
 *   [Σ_{i≠j} k(xi, xj) + Σ_{i≠j} k(yi, yj)] / (m(m − 1)) − 2 Σ_{i,j} k(xi, yj) / m².
 */
export function polynomialMmdUnbiased(
  x: Float64Array,
  y: Float64Array,
  m: number,
  dim: number,
): number {
  if (m < 2) fail('subsetSize', 'at least 2 samples per set', m);
  if (x.length !== m * dim || y.length !== m * dim) {
    fail('x, y', `two ${m} × ${dim} sets`, `${x.length} and ${y.length} values`);
  }
  const kernelSum = (a: Float64Array, b: Float64Array, offDiagonalOnly: boolean): number => {
    const g = new Float64Array(m * m);
    addRowDots(a, m, b, m, dim, g);
    let s = 0;
    for (let i = 0; i < m; i++) {
      for (let j = 0; j < m; j++) {
        if (offDiagonalOnly && i === j) continue;
        s += (g[i * m + j]! / dim + 1) ** 3;
      }
    }
    return s;
  };
  const xx = kernelSum(x, x, true);
  const yy = kernelSum(y, y, true);
  const xy = kernelSum(x, y, false);
  return (xx + yy) / (m * (m - 1)) - (2 * xy) / (m * m);
}

export interface KidOptions {
  /** Number of random subset pairs (default 100, as clean-fid and torch-fidelity). */
  subsets?: number;
  /** Subset size, capped at the smaller set (default 1000). */
  subsetSize?: number;
  /**
   * Seed of the subset draws (default 0), an @ns/random stream. Not numpy's stream: reference
   * tools agree on KID in distribution, or exactly when the same subsets are passed to
   * kidFromSubsets.
   */
  seed?: number;
}

export interface KidResult {
  /** Mean of the per-subset unbiased MMD² estimates: the KID. */
  readonly kid: number;
  /** Standard deviation over subsets (population, as torch-fidelity's kernel_inception_distance_std). */
  readonly std: number;
  readonly subsetSize: number;
  readonly subsets: number;
  readonly values: Float64Array;
}

/** Kernel Inception Distance from two feature sets of the same dimension. */
export function kernelInceptionDistance(
  a: FeatureMatrix,
  b: FeatureMatrix,
  options: KidOptions = {},
): KidResult {
  if (a.dim !== b.dim) fail('features', `two sets of the same dimension (${a.dim})`, b.dim);
  const subsets = options.subsets ?? 100;
  if (!Number.isSafeInteger(subsets) || subsets < 1) fail('subsets', 'a positive integer', subsets);
  const m = Math.min(options.subsetSize ?? 1000, a.rows, b.rows);
  const rng = new Rng(options.seed ?? 0).fold('kid-subsets');
  const pairs = Array.from({ length: subsets }, () => ({
    a: sampleWithoutReplacement(a.rows, m, rng),
    b: sampleWithoutReplacement(b.rows, m, rng),
  }));
  return kidFromSubsets(a, b, pairs);
}

/** `count` distinct indices from [0, n), uniformly (the first `count` steps of Fisher–Yates). */
function sampleWithoutReplacement(n: number, count: number, rng: Rng): Int32Array {
  const pool = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + rng.below(n - i);
    const t = pool[i]!;
    pool[i] = pool[j]!;
    pool[j] = t;
  }
  return pool.slice(0, count);
}

/** KID over explicitly given subset index pairs (to reproduce another tool's draws exactly). */
export function kidFromSubsets(
  a: FeatureMatrix,
  b: FeatureMatrix,
  pairs: ReadonlyArray<{ a: ArrayLike<number>; b: ArrayLike<number> }>,
): KidResult {
  if (a.dim !== b.dim) fail('features', `two sets of the same dimension (${a.dim})`, b.dim);
  if (pairs.length === 0) fail('subsets', 'at least one subset pair', 0);
  const m = pairs[0]!.a.length;
  const values = new Float64Array(pairs.length);
  pairs.forEach((p, k) => {
    if (p.a.length !== m || p.b.length !== m) {
      fail(`subsets[${k}]`, `two index lists of length ${m}`, `${p.a.length} and ${p.b.length}`);
    }
    values[k] = polynomialMmdUnbiased(gatherRows(a, p.a), gatherRows(b, p.b), m, a.dim);
  });
  const kid = values.reduce((s, v) => s + v, 0) / values.length;
  const variance = values.reduce((s, v) => s + (v - kid) ** 2, 0) / values.length;
  return { kid, std: Math.sqrt(variance), subsetSize: m, subsets: pairs.length, values };
}
