import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { decodePng, isPng } from '../png/decode.js';
import { encodePng, type PngEncodeOptions } from '../png/encode.js';
import type { Image } from './image.js';
import { decodeJpeg, isJpeg } from './jpeg.js';

/** Decodes PNG or JPEG bytes, chosen by the file signature (not the name). */
export function decodeImage(bytes: Uint8Array, what = 'image'): Image {
  if (isPng(bytes)) return decodePng(bytes);
  if (isJpeg(bytes)) return decodeJpeg(bytes);
  const head = Array.from(bytes.subarray(0, 4), (b) => b.toString(16).padStart(2, '0')).join(' ');
  throw new Error(
    `${what}: expected a PNG or JPEG file, got bytes starting ${head || '(empty file)'}`,
  );
}

/** Reads and decodes a PNG or JPEG file. */
export function readImage(path: string): Image {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new Error(`readImage: cannot read ${path}: ${(error as Error).message}`);
  }
  try {
    return decodeImage(bytes, path);
  } catch (error) {
    const message = (error as Error).message;
    throw new Error(message.startsWith(path) ? message : `${path}: ${message}`);
  }
}

/**
 * Writes `image` as a PNG. The bytes go to a temporary file that is renamed into place, so a
 * reader never sees half a PNG.
 */
export function writePng(path: string, image: Image, options?: PngEncodeOptions): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, encodePng(image, options));
  renameSync(temporary, path);
}
