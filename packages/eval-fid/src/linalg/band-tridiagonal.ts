import { type BandMatrix, bandIndex } from './band-matrix.js';
import { chaseSweep } from './bulge-chase-kernel.js';

/**
 * Second stage of the two-stage symmetric eigenvalue solver: the band matrix (bandwidth b) is
 * reduced to tridiagonal form by Householder bulge chasing, eigenvalues only, so no reflector is
 * kept (Lang 1993; LAPACK dsytrd_sb2st's kernels): n − 2 sweeps of chaseSweep, one after the
 * other here, or two at a time on worker threads (createChasePool) with the same result.
 * Work ≈ 6·b·n², all in cache-sized blocks. The band's storage is overwritten.
 */
export function bandToTridiagonal(band: BandMatrix): Tridiagonal {
  requireBulgeRoom(band);
  const { n, bandwidth: b, width, data } = band;
  const scratch = new Float64Array(4 * b);
  for (let i = 0; i + 2 < n; i++) chaseSweep(data, n, b, width, i, scratch);
  return tridiagonalOf(band);
}

export interface Tridiagonal {
  readonly diagonal: Float64Array;
  /** offDiagonal[k] couples diagonal[k] and diagonal[k + 1]. */
  readonly offDiagonal: Float64Array;
}

export function requireBulgeRoom(band: BandMatrix): void {
  if (band.width < 2 * band.bandwidth) {
    throw new RangeError(`band width ${band.width} leaves no room for the bulge`);
  }
}

/** The diagonal and subdiagonal of a chased band. */
export function tridiagonalOf(band: BandMatrix): Tridiagonal {
  const { n, data: a } = band;
  const diagonal = new Float64Array(n);
  const offDiagonal = new Float64Array(Math.max(0, n - 1));
  for (let i = 0; i < n; i++) diagonal[i] = a[bandIndex(band, i, i)]!;
  for (let i = 0; i + 1 < n; i++) offDiagonal[i] = a[bandIndex(band, i + 1, i)]!;
  return { diagonal, offDiagonal };
}
