import type { Image } from '@ns/formats';

// One decoded image (8-bit HWC; 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA), as @ns/formats decodes it.
export type { Channels, Image } from '@ns/formats';

/** Checks that `data` has exactly height·width·channels samples; returns the image typed. */
export function makeImage(
  data: Uint8Array,
  height: number,
  width: number,
  channels: number,
): Image {
  assertPositiveInt('height', height);
  assertPositiveInt('width', width);
  if (channels !== 1 && channels !== 2 && channels !== 3 && channels !== 4) {
    throw new RangeError(`channels: expected 1, 2, 3 or 4, got ${channels}`);
  }
  const expected = height * width * channels;
  if (data.length !== expected) {
    throw new RangeError(
      `data: expected ${expected} bytes for ${height}×${width}×${channels}, got ${data.length}`,
    );
  }
  return { data, height, width, channels };
}

export function assertPositiveInt(name: string, value: number): void {
  if (!Number.isInteger(value) || value <= 0) {
    throw new RangeError(`${name}: expected a positive integer, got ${value}`);
  }
}

export function assertNonNegativeInt(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0) {
    throw new RangeError(`${name}: expected a non-negative integer, got ${value}`);
  }
}

export type Rgb = readonly [number, number, number];

/** White, the background used when alpha is flattened unless told otherwise. */
export const WHITE: Rgb = [255, 255, 255];

/**
 * Converts to 1 (grey) or 3 (RGB) channels. Alpha is composited over `background` (straight,
 * not premultiplied alpha, rounded to nearest); RGB → grey uses the ITU-R BT.601 luma weights
 * (0.299, 0.587, 0.114).
 */
export function toChannels(image: Image, channels: 1 | 3, background: Rgb = WHITE): Image {
  const { data, height, width, channels: from } = image;
  if (from === channels) return image;
  const n = height * width;
  const out = new Uint8Array(n * channels);
  const [br, bg, bb] = background;
  for (let p = 0; p < n; p++) {
    let r: number;
    let g: number;
    let b: number;
    let a = 255;
    const s = p * from;
    if (from <= 2) {
      r = g = b = data[s]!;
      if (from === 2) a = data[s + 1]!;
    } else {
      r = data[s]!;
      g = data[s + 1]!;
      b = data[s + 2]!;
      if (from === 4) a = data[s + 3]!;
    }
    if (a !== 255) {
      r = (r * a + br * (255 - a) + 127) / 255;
      g = (g * a + bg * (255 - a) + 127) / 255;
      b = (b * a + bb * (255 - a) + 127) / 255;
    }
    if (channels === 3) {
      const d = p * 3;
      out[d] = r;
      out[d + 1] = g;
      out[d + 2] = b;
    } else {
      // Uint8Array assignment truncates, so +0.5 rounds to nearest.
      out[p] = (r * 299 + g * 587 + b * 114) / 1000 + 0.5;
    }
  }
  return { data: out, height, width, channels };
}
