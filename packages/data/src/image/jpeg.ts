import { FormatError } from '@ns/formats';
import jpeg from 'jpeg-js';
import type { Image } from './image.js';

export function isJpeg(bytes: Uint8Array): boolean {
  return bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff;
}

export interface JpegDecodeOptions {
  /** Refuse images above this many megapixels (default 100), before allocating them. */
  maxMegapixels?: number;
  /** The file, named in errors (default 'JPEG'). */
  name?: string;
}

/**
 * Decodes a baseline or progressive JPEG with the pure-JS `jpeg-js` decoder. Always returns RGB
 * (3 channels): greyscale JPEGs come back with three equal channels. EXIF orientation is not
 * applied. A damaged file is a FormatError naming it.
 */
export function decodeJpeg(bytes: Uint8Array, options: JpegDecodeOptions = {}): Image {
  const name = options.name ?? 'JPEG';
  if (!isJpeg(bytes)) {
    throw new FormatError(name, 'not a JPEG file (bad signature: expected ff d8 ff)');
  }
  let decoded: { width: number; height: number; data: Uint8Array };
  try {
    decoded = jpeg.decode(bytes, {
      useTArray: true,
      formatAsRGBA: false,
      tolerantDecoding: false,
      maxResolutionInMP: options.maxMegapixels ?? 100,
    });
  } catch (error) {
    // jpeg-js throws strings and Errors with terse texts ("marker was not found", offsets).
    const reason = error instanceof Error ? error.message : String(error);
    throw new FormatError(name, `corrupt or truncated JPEG (jpeg-js: ${reason})`);
  }
  if (
    !decoded.width ||
    !decoded.height ||
    decoded.data.length !== decoded.width * decoded.height * 3
  ) {
    throw new FormatError(
      name,
      `corrupt or truncated JPEG: decoded ${decoded.width}×${decoded.height} with ${decoded.data.length} bytes of pixels`,
    );
  }
  return { data: decoded.data, height: decoded.height, width: decoded.width, channels: 3 };
}
