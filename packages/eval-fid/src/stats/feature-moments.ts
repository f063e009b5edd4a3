import { fail } from '../errors.js';
import type { GaussianStatistics } from '../gaussian.js';
import { addRowDots } from '../linalg/row-dots.js';
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
  /** Rows buffered before each scatter update (default 256); only affects speed. */
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
  private readonly block: Float64Array;
  private blockFill = 0;
  /** Centred block: transposed for the JS kernel, row-major for MatrixProducts.gram. */
  private readonly scratch: Float64Array;

  constructor(dim: number, options: FeatureMomentsOptions = {}) {
    if (!Number.isSafeInteger(dim) || dim < 1) fail('dim', 'a positive integer', dim);
    const blockRows = options.blockRows ?? 256;
    if (!Number.isSafeInteger(blockRows) || blockRows < 1) {
      fail('blockRows', 'a positive integer', blockRows);
    }
    this.dim = dim;
    this.blockRows = blockRows;
    this.mu = new Float64Array(dim);
    this.m2 = new Float64Array(dim * dim);
    this.block = new Float64Array(blockRows * dim);
    this.scratch = new Float64Array(blockRows * dim);
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
    const d = this.dim;
    if (features.length % d !== 0) {
      fail('features', `a multiple of dim = ${d} values (rows × ${d})`, features.length);
    }
    const rows = features.length / d;
    for (let r = 0; r < rows; r++) {
      this.copyRow(features, r);
      if (this.blockFill === this.blockRows) this.flush();
    }
    return this;
  }

  /**
   * Like add, but each full block's scatter is computed by `products` (e.g. onnxruntime float64
   * MatMul; use a large blockRows such as 2048 for it). Await each call before the next.
   */
  async addAsync(features: ArrayLike<number>, products: MatrixProducts): Promise<this> {
    const d = this.dim;
    if (features.length % d !== 0) {
      fail('features', `a multiple of dim = ${d} values (rows × ${d})`, features.length);
    }
    const rows = features.length / d;
    for (let r = 0; r < rows; r++) {
      this.copyRow(features, r);
      if (this.blockFill === this.blockRows) await this.flushWith(products);
    }
    return this;
  }

  /** Computes any buffered rows with `products` (statistics() would otherwise use the JS kernel). */
  async flushAsync(products: MatrixProducts): Promise<this> {
    await this.flushWith(products);
    return this;
  }

  /** Folds another accumulator or snapshot (a disjoint shard) into this one. */
  merge(other: FeatureMoments | MomentsSnapshot): this {
    const s = other instanceof FeatureMoments ? other.snapshot() : other;
    if (s.dim !== this.dim) fail('merge', `moments of dim ${this.dim}`, s.dim);
    this.flush();
    this.combine(s.count, s.mean, s.scatter, false);
    return this;
  }

  /** Count, mean and full symmetric scatter matrix (copies). */
  snapshot(): MomentsSnapshot {
    this.flush();
    const d = this.dim;
    const scatter = Float64Array.from(this.m2);
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < i; j++) scatter[i * d + j] = scatter[j * d + i]!;
    }
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

  private copyRow(features: ArrayLike<number>, r: number): void {
    const d = this.dim;
    const src = r * d;
    const dst = this.blockFill * d;
    for (let j = 0; j < d; j++) {
      const v = features[src + j]!;
      if (!Number.isFinite(v)) fail(`features[${r}, ${j}]`, 'a finite number', v);
      this.block[dst + j] = v;
    }
    this.blockFill += 1;
  }

  /** Mean of the buffered block. */
  private blockMean(rows: number): Float64Array {
    const d = this.dim;
    const x = this.block;
    const mean = new Float64Array(d);
    for (let r = 0; r < rows; r++) {
      const o = r * d;
      for (let j = 0; j < d; j++) mean[j] = mean[j]! + x[o + j]!;
    }
    for (let j = 0; j < d; j++) mean[j] = mean[j]! / rows;
    return mean;
  }

  private async flushWith(products: MatrixProducts): Promise<void> {
    const rows = this.blockFill;
    if (rows === 0) return;
    const d = this.dim;
    const mean = this.blockMean(rows);
    const centred = this.scratch;
    for (let r = 0; r < rows; r++) {
      const o = r * d;
      for (let j = 0; j < d; j++) centred[o + j] = this.block[o + j]! - mean[j]!;
    }
    this.blockFill = 0;
    const scatter = await products.gram(centred.subarray(0, rows * d), rows, d);
    this.combine(rows, mean, scatter, false);
  }

  private flush(): void {
    const rows = this.blockFill;
    if (rows === 0) return;
    const d = this.dim;
    const x = this.block;
    const mean = this.blockMean(rows);
    // centred and transposed: row j holds feature j over the block's samples (contiguous)
    const xt = this.scratch;
    for (let r = 0; r < rows; r++) {
      const o = r * d;
      for (let j = 0; j < d; j++) xt[j * rows + r] = x[o + j]! - mean[j]!;
    }
    this.blockFill = 0;
    this.combine(rows, mean, xt, true);
  }

  /**
   * Chan et al. pairwise update. With `centredRows`, `second` is the block's centred transpose
   * (dim × nb) and its scatter is accumulated straight into m2; otherwise it is a scatter matrix.
   */
  private combine(
    nb: number,
    meanB: Float64Array,
    second: Float64Array,
    centredRows: boolean,
  ): void {
    if (nb === 0) return;
    const d = this.dim;
    const na = this.n;
    const n = na + nb;
    if (centredRows) {
      addRowDots(second, d, second, d, nb, this.m2, { upperOnly: true });
    } else {
      for (let i = 0; i < d; i++) {
        for (let j = i; j < d; j++) this.m2[i * d + j] = this.m2[i * d + j]! + second[i * d + j]!;
      }
    }
    if (na > 0) {
      const delta = new Float64Array(d);
      for (let j = 0; j < d; j++) delta[j] = meanB[j]! - this.mu[j]!;
      const w = (na * nb) / n;
      for (let i = 0; i < d; i++) {
        const di = delta[i]! * w;
        const row = i * d;
        for (let j = i; j < d; j++) this.m2[row + j] = this.m2[row + j]! + di * delta[j]!;
      }
      const f = nb / n;
      for (let j = 0; j < d; j++) this.mu[j] = this.mu[j]! + delta[j]! * f;
    } else {
      this.mu.set(meanB);
    }
    this.n = n;
  }
}

/** Mean and covariance (divisor N − 1) of `rows × dim` row-major features in one call. */
export function featureStatistics(features: ArrayLike<number>, dim: number): GaussianStatistics {
  return new FeatureMoments(dim).add(features).statistics();
}
