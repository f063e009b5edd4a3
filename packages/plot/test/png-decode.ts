/**
 * PNG reading for the plot tests through the repository's one PNG codec (@ns/formats, re-exported
 * by @ns/data): every chunk CRC checked, the rows unfiltered, for the 8-bit RGB/RGBA images resvg
 * writes.
 */
import { decodePng as decodeAnyPng } from '@ns/data';

export const PNG_SIGNATURE = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);

export interface DecodedPng {
  readonly width: number;
  readonly height: number;
  /** Bytes per pixel: 3 (RGB) or 4 (RGBA). */
  readonly channels: 3 | 4;
  /** Pixel rows, `height × width × channels` bytes. */
  readonly pixels: Uint8Array;
}

export function decodePng(png: Uint8Array): DecodedPng {
  const image = decodeAnyPng(png, 'test PNG');
  if (image.channels !== 3 && image.channels !== 4) {
    throw new Error(`test PNG: expected RGB or RGBA, got ${image.channels} channels`);
  }
  return { width: image.width, height: image.height, channels: image.channels, pixels: image.data };
}

/** Distinct colours in the image, as `#rrggbb` (alpha ignored), with pixel counts. */
export function colourHistogram(image: DecodedPng): Map<string, number> {
  const counts = new Map<string, number>();
  for (let i = 0; i < image.pixels.length; i += image.channels) {
    const hex = `#${[0, 1, 2].map((k) => image.pixels[i + k]!.toString(16).padStart(2, '0')).join('')}`;
    counts.set(hex, (counts.get(hex) ?? 0) + 1);
  }
  return counts;
}
