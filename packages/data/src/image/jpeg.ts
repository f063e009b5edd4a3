import jpeg from 'jpeg-js';
import type { Image } from './image.js';

export function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

/**
 * Decodes a baseline or progressive JPEG with the pure-JS `jpeg-js` decoder. Always returns RGB
 * (3 channels): greyscale JPEGs come back with three equal channels. EXIF orientation is not
 * applied.
 */
export function decodeJpeg(bytes: Uint8Array, options: { maxMegapixels?: number } = {}): Image {
  if (!isJpeg(bytes)) throw new Error('JPEG: bad signature (expected FF D8 FF); not a JPEG file');
  const decoded = jpeg.decode(bytes, {
    useTArray: true,
    formatAsRGBA: false,
    tolerantDecoding: false,
    maxResolutionInMP: options.maxMegapixels ?? 100,
  });
  return { data: decoded.data, height: decoded.height, width: decoded.width, channels: 3 };
}
