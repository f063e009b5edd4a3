import {
  decodePng,
  encodePng,
  FormatError,
  isPng,
  type PngEncodeOptions,
  readFileBytes,
  writeFileAtomic,
} from '@ns/formats';
import type { Image } from './image.js';
import { decodeJpeg, isJpeg } from './jpeg.js';

/** Decodes PNG or JPEG bytes, chosen by the file signature (not the name). */
export function decodeImage(bytes: Uint8Array, what = 'image'): Image {
  if (isPng(bytes)) return decodePng(bytes, what);
  if (isJpeg(bytes)) return decodeJpeg(bytes, { name: what });
  const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new FormatError(
    what,
    `expected a PNG or JPEG file, got ${head ? `bytes starting ${head}` : 'an empty file'}`,
  );
}

/** Reads and decodes a PNG or JPEG file; every error names the file. */
export function readImage(path: string): Image {
  return decodeImage(readFileBytes(path), path);
}

/**
 * Writes `image` as a PNG. The bytes go to a temporary file that is renamed into place, so a
 * reader never sees half a PNG.
 */
export function writePng(path: string, image: Image, options?: PngEncodeOptions): void {
  writeFileAtomic(path, encodePng(image, options));
}
