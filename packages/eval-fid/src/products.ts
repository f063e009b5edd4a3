import type { BandMatrix } from './linalg/band-matrix.js';

/**
 * One large matrix product, the only operation the blocked algorithms of this package hand out:
 * C = A · Bᵀ (`transposeB`, B is n × k) or C = A · B (B is k × n), or `from` − that product.
 * All matrices are float64, row-major; the result is `into` when given, else a new array, and
 * aliases no input.
 */
export interface Product {
  /** m × k */
  readonly a: Float64Array;
  /** n × k with `transposeB`, else k × n */
  readonly b: Float64Array;
  readonly m: number;
  readonly n: number;
  readonly k: number;
  readonly transposeB: boolean;
  /** m × n: when given, the result is `from` − A·op(B). */
  readonly from?: Float64Array;
  /**
   * The result is symmetric (m = n), so an engine may compute one triangle: 'upper' says the
   * caller reads only C[i, j] with j ≥ i; 'full' says it reads everything.
   */
  readonly symmetric?: 'upper' | 'full';
  /** m × n storage for the result (aliasing no input), to spare an allocation per product. */
  readonly into?: Float64Array;
}

/**
 * The other heavy step: the bulge chase that takes a band matrix to tridiagonal form, in place
 * (the eigenvalue solver's second stage). Its result is the band's storage.
 */
export interface BandChase {
  readonly chase: BandMatrix;
}

/**
 * An engine for Products that is faster than the pure-JS kernel, e.g. onnxruntime-node float64
 * Gemm with all cores (createOrtProducts). The blocked algorithms run the same arithmetic on it.
 */
export interface MatrixProducts {
  product(p: Product): Promise<Float64Array>;
  /**
   * Chases the band in place, e.g. on worker threads (createChasePool); without it the chase
   * runs on the calling thread. Either way the result is bit-identical.
   */
  chase?(band: BandMatrix): Promise<void>;
}
