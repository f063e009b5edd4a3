/**
 * A symmetric band matrix in row storage: entry (r, c), 0 ≤ r − c < width, is
 * data[r·width + c − r + width − 1], so each row's stored part is contiguous. `width` leaves room
 * beyond the bandwidth for the bulges of the band-to-tridiagonal chase.
 */
export interface BandMatrix {
  readonly n: number;
  readonly bandwidth: number;
  readonly width: number;
  readonly data: Float64Array;
}

export function bandIndex(band: BandMatrix, r: number, c: number): number {
  return r * (band.width - 1) + c + band.width - 1;
}
