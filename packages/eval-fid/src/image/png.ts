import { decodePng as decodeAnyPng, readPngHeader } from '@ns/formats';
import { EvalFidError } from '../errors.js';

/** A decoded image: height × width × channels uint8, channels 1 (grey) or 3 (RGB). */
export interface DecodedImage {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
  readonly data: Uint8Array;
}

/**
 * Decodes a PNG the way PIL's `convert('RGB' or 'L')` sees it (what pytorch-fid and clean-fid
 * feed the network): alpha is dropped, not composited; palettes are expanded; 1/2/4-bit grey is
 * scaled to 0–255; Adam7 is undone. The codec is @ns/formats' (CRC-checked; errors name `name`).
 * 16-bit files are refused: PIL keeps the high byte of 16-bit RGB but clips 16-bit grey to 255,
 * so no one 8-bit reading of them matches the reference tools.
 */
export function decodePng(bytes: Uint8Array, name = 'png'): DecodedImage {
  const header = readPngHeader(bytes, name);
  if (header.bitDepth === 16) {
    throw new EvalFidError(
      name,
      `expected bit depth 8 for colour type ${header.colorType}, got 16 (PIL reads 16-bit PNGs inconsistently; save 8-bit images)`,
    );
  }
  const image = decodeAnyPng(bytes, name);
  if (image.channels === 1 || image.channels === 3) {
    return { width: image.width, height: image.height, channels: image.channels, data: image.data };
  }
  // grey+alpha → grey, RGBA → RGB: keep the colour samples of each pixel.
  const keep = image.channels === 2 ? 1 : 3;
  const pixels = image.width * image.height;
  const data = new Uint8Array(pixels * keep);
  for (let i = 0; i < pixels; i++) {
    for (let c = 0; c < keep; c++) data[i * keep + c] = image.data[i * image.channels + c]!;
  }
  return { width: image.width, height: image.height, channels: keep, data };
}
