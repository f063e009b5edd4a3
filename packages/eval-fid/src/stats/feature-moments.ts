import { fail } from '../errors.js';
import type { GaussianStatistics } from '../gaussian.js';
import { type DenseWork, mirrorUpper, runDense, runDenseAsync } from '../linalg/dense-work.js';
import type { MatrixProducts } from '../products.js';

/**
 * A serialisable summary of N feature vectors: count, mean and scatter matrix
 * Σ (x − mean)(x − mean)ᵀ. Two summaries of disjoint shards merge exactly into the summary of
 * their union, so sampling can be split across processes or machines.
 */
export interface MomentsSnapshot {
  readonly dim: number;
  readonly count: number;
  readonly mean: Float64Array;
  /** dim × dim, row-major, symmetric. */
  readonly scatter: Float64Array;
}

export interface FeatureMomentsOptions {
  /** Rows buffered before each scatter update (default 1024); only affects speed and memory. */
  blockRows?: number;
}

/**
 * Streaming float64 mean and covariance (divisor N − 1, as `np.cov(X, rowvar=False)`).
 *
 * Numerics: rows are buffered into blocks; each block is centred on its own exact mean (a
 * two-pass step inside the block) and folded into the running (count, mean, scatter) with the
 * pairwise update of Chan, Golub & LeVeque:
 *   scatter ← scatter + scatter_block + δδᵀ · n_a n_b / (n_a + n_b),   δ = mean_block − mean.
 * Every term is a sum of centred products, so no large Σxxᵀ − n·μμᵀ cancellation happens (the
 * one-pass "sums and cross-products" form loses digits when |μ| ≫ σ). Shards merge with the same
 * update, so the result does not depend on how the data were split beyond rounding.
 */
export class FeatureMoments {
  readonly dim: number;
  private n = 0;
  private readonly mu: Float64Array;
  /** Upper triangle (j ≥ i) is authoritative until read out. */
  private readonly m2: Float64Array;
  private readonly blockRows: number;
  /**
   * Buffered rows, transposed: feature j of buffered sample r is block[j·blockRows + r], so each
   * feature's values are contiguous for its mean, its centring and the scatter product.
   */
  private readonly block: Float64Array;
  private blockFill = 0;
  /** Where each block's scatter product lands (allocated on first use). */
  private scatter: Float64Array | undefined;

  constructor(dim: number, options: FeatureMomentsOptions = {}) {
    if (!Number.isSafeInteger(dim) || dim < 1) fail('dim', 'a positive integer', dim);
    const blockRows = options.blockRows ?? 1024;
    if (!Number.isSafeInteger(blockRows) || blockRows < 1) {
      fail('blockRows', 'a positive integer', blockRows);
    }
    this.dim = dim;
    this.blockRows = blockRows;
    this.mu = new Float64Array(dim);
    this.m2 = new Float64Array(dim * dim);
    this.block = new Float64Array(blockRows * dim);
  }

  /** Samples seen so far. */
  get count(): number {
    return this.n + this.blockFill;
  }

  /**
   * Adds `features`, row-major rows × dim (any numeric array: float32 activations, uint8, ...).
   * The caller's array is not kept.
   */
  add(features: ArrayLike<number>): this {
    const rows = this.rowsOf(features);
    for (let r = 0; r < rows; ) {
      r += this.copyRows(features, r, rows);
      if (this.blockFill === this.blockRows) runDense(this.flushWork());
    }
    return this;
  }

  /**
   * Like add, but each full block's scatter is computed by `products` (e.g. onnxruntime float64
   * Gemm; a large blockRows such as 4096 suits it). Await each call before the next.
   */
  async addAsync(features: ArrayLike<number>, products: MatrixProducts): Promise<this> {
    const rows = this.rowsOf(features);
    for (let r = 0; r < rows; ) {
      r += this.copyRows(features, r, rows);
      if (this.blockFill === this.blockRows) await runDenseAsync(this.flushWork(), products);
    }
    return this;
  }

  /** Computes any buffered rows with `products` (statistics() would otherwise use the JS kernel). */
  async flushAsync(products: MatrixProducts): Promise<this> {
    await runDenseAsync(this.flushWork(), products);
    return this;
  }

  /** Folds another accumulator or snapshot (a disjoint shard) into this one. */
  merge(other: FeatureMoments | MomentsSnapshot): this {
    const s = other instanceof FeatureMoments ? other.snapshot() : other;
    if (s.dim !== this.dim) fail('merge', `moments of dim ${this.dim}`, s.dim);
    runDense(this.flushWork());
    this.combine(s.count, s.mean, s.scatter);
    return this;
  }

  /** Count, mean and full symmetric scatter matrix (copies). */
  snapshot(): MomentsSnapshot {
    runDense(this.flushWork());
    const d = this.dim;
    const scatter = Float64Array.from(this.m2);
    mirrorUpper(scatter, d);
    return { dim: d, count: this.n, mean: Float64Array.from(this.mu), scatter };
  }

  /** Mean and covariance with divisor N − 1 (pytorch-fid's statistics). Needs N ≥ 2. */
  statistics(): GaussianStatistics {
    const s = this.snapshot();
    if (s.count < 2) fail('features', 'at least 2 samples for a covariance', s.count);
    const sigma = s.scatter;
    const inv = 1 / (s.count - 1);
    for (let i = 0; i < sigma.length; i++) sigma[i] = sigma[i]! * inv;
    return { dim: s.dim, mu: s.mean, sigma, count: s.count };
  }

  /** Rebuilds an accumulator from a snapshot (e.g. one read from a shard file). */
  static fromSnapshot(
    snapshot: MomentsSnapshot,
    options: FeatureMomentsOptions = {},
  ): FeatureMoments {
    const m = new FeatureMoments(snapshot.dim, options);
    return m.merge(snapshot);
  }

  private rowsOf(features: ArrayLike<number>): number {
    const d = this.dim;
    if (features.length % d !== 0) {
      fail('features', `a multiple of dim = ${d} values (rows × ${d})`, features.length);
    }
    return features.length / d;
  }

  /**
   * Copies rows from..to (as many as the block has room for) into the transposed block, in tiles
   * so that both the reads and the writes stay within a few cache lines. Returns the count.
   */
  private copyRows(features: ArrayLike<number>, from: number, to: number): number {
    const d = this.dim;
    const stride = this.blockRows;
    const take = Math.min(to - from, stride - this.blockFill);
    const block = this.block;
    // 64 rows × 32 features: each feature's run of 64 float64 writes fills 8 whole cache lines
    const TR = 64;
    const TJ = 32;
    for (let r0 = 0; r0 < take; r0 += TR) {
      const r1 = Math.min(take, r0 + TR);
      for (let j0 = 0; j0 < d; j0 += TJ) {
        const j1 = Math.min(d, j0 + TJ);
        let bad = 0;
        for (let j = j0; j < j1; j++) {
          const o = j * stride + this.blockFill;
          for (let r = r0; r < r1; r++) {
            const v = features[(from + r) * d + j]!;
            bad += v - v; // NaN for NaN and ±Infinity, 0 otherwise
            block[o + r] = v;
          }
        }
        if (bad !== 0) this.reportNonFinite(features, from + r0, from + r1, j0, j1);
      }
    }
    this.blockFill += take;
    return take;
  }

  private reportNonFinite(
    features: ArrayLike<number>,
    r0: number,
    r1: number,
    j0: number,
    j1: number,
  ): never {
    for (let r = r0; r < r1; r++) {
      for (let j = j0; j < j1; j++) {
        const v = features[r * this.dim + j];
        if (!Number.isFinite(v)) fail(`features[${r}, ${j}]`, 'a finite number', v);
      }
    }
    throw new Error('unreachable: a non-finite value was detected but not found');
  }

  /**
   * Folds the buffered block in: each feature is centred on the block's exact mean (its values
   * are contiguous), then the scatter of the centred block is one symmetric Product.
   */
  private *flushWork(): DenseWork<void> {
    const rows = this.blockFill;
    if (rows === 0) return;
    const d = this.dim;
    const stride = this.blockRows;
    const x = this.block;
    const mean = new Float64Array(d);
    for (let j = 0; j < d; j++) {
      const from = j * stride;
      // four partial sums: one `+=` chain would wait on the adder at every value
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let r = 0;
      for (; r + 3 < rows; r += 4) {
        s0 += x[from + r]!;
        s1 += x[from + r + 1]!;
        s2 += x[from + r + 2]!;
        s3 += x[from + r + 3]!;
      }
      for (; r < rows; r++) s0 += x[from + r]!;
      const m = (s0 + s1 + (s2 + s3)) / rows;
      mean[j] = m;
      // centre, and pack the rows tightly (stride `rows`) when the block is not full
      const to = j * rows;
      for (let r = 0; r < rows; r++) x[to + r] = x[from + r]! - m;
    }
    this.blockFill = 0;
    this.scatter ??= new Float64Array(d * d);
    const xt = x.subarray(0, d * rows);
    const scatter = yield {
      a: xt,
      b: xt,
      m: d,
      n: d,
      k: rows,
      transposeB: true,
      symmetric: 'upper',
      into: this.scatter,
    };
    this.combine(rows, mean, scatter);
  }

  /**
   * Chan et al. pairwise update with a block of `nb` rows whose mean is `meanB` and whose scatter
   * matrix is `scatter` (only its upper triangle is read).
   */
  private combine(nb: number, meanB: Float64Array, scatter: Float64Array): void {
    if (nb === 0) return;
    const d = this.dim;
    const na = this.n;
    const n = na + nb;
    const m2 = this.m2;
    if (na > 0) {
      const delta = new Float64Array(d);
      for (let j = 0; j < d; j++) delta[j] = meanB[j]! - this.mu[j]!;
      const w = (na * nb) / n;
      for (let i = 0; i < d; i++) {
        const di = delta[i]! * w;
        const row = i * d;
        for (let j = i; j < d; j++) m2[row + j] = m2[row + j]! + scatter[row + j]! + di * delta[j]!;
      }
      const f = nb / n;
      for (let j = 0; j < d; j++) this.mu[j] = this.mu[j]! + delta[j]! * f;
    } else {
      for (let i = 0; i < d; i++) {
        const row = i * d;
        for (let j = i; j < d; j++) m2[row + j] = m2[row + j]! + scatter[row + j]!;
      }
      this.mu.set(meanB);
    }
    this.n = n;
  }
}

/** Mean and covariance (divisor N − 1) of `rows × dim` row-major features in one call. */
export function featureStatistics(features: ArrayLike<number>, dim: number): GaussianStatistics {
  return new FeatureMoments(dim).add(features).statistics();
}

/** featureStatistics with the scatter products on `products` (e.g. createOrtProducts()). */
export async function featureStatisticsAsync(
  features: ArrayLike<number>,
  dim: number,
  products: MatrixProducts,
): Promise<GaussianStatistics> {
  const moments = new FeatureMoments(dim, { blockRows: 4096 });
  await moments.addAsync(features, products);
  await moments.flushAsync(products);
  return moments.statistics();
}
