/**
 * The two large dense products, behind an interface so they can run on a faster engine
 * (see createOrtProducts) while the pure-JS kernels stay the default.
 */
export interface MatrixProducts {
  /** G = Xᵀ X (dim × dim, row-major) for X rows × dim, row-major. */
  gram(x: Float64Array, rows: number, dim: number): Promise<Float64Array>;
  /** M = Lᵀ S L (rank × rank) for symmetric S (dim × dim) and L (dim × rank), row-major. */
  congruence(s: Float64Array, l: Float64Array, dim: number, rank: number): Promise<Float64Array>;
}
