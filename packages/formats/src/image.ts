/**
 * One decoded image: 8-bit samples, rows top to bottom, pixels left to right, channels interleaved
 * (HWC). 1 = grey, 2 = grey+alpha, 3 = RGB, 4 = RGBA.
 */
export type Channels = 1 | 2 | 3 | 4;

export interface Image {
  readonly data: Uint8Array;
  readonly height: number;
  readonly width: number;
  readonly channels: Channels;
}

/** Throws a RangeError unless `image` has exactly height·width·channels samples. */
export function checkImage(image: Image): void {
  const { data, height, width, channels } = image;
  for (const [name, value] of [
    ['height', height],
    ['width', width],
  ] as const) {
    if (!Number.isInteger(value) || value <= 0) {
      throw new RangeError(`${name}: expected a positive integer, got ${value}`);
    }
  }
  if (channels !== 1 && channels !== 2 && channels !== 3 && channels !== 4) {
    throw new RangeError(`channels: expected 1, 2, 3 or 4, got ${channels}`);
  }
  const expected = height * width * channels;
  if (!(data instanceof Uint8Array) || data.length !== expected) {
    throw new RangeError(
      `data: expected ${expected} bytes for ${height}×${width}×${channels}, got ${data instanceof Uint8Array ? data.length : typeof data}`,
    );
  }
}
