import { crc32, inflateSync } from 'node:zlib';
import { FormatError } from '../errors.js';
import type { Channels, Image } from '../image.js';
import { unfilterRow } from './filters.js';

export const PNG_SIGNATURE = Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a);

const COLOR_GREY = 0;
const COLOR_RGB = 2;
const COLOR_PALETTE = 3;

/** Samples per pixel in the file, by colour type. */
const FILE_SAMPLES: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };
const ALLOWED_DEPTHS: Record<number, readonly number[]> = {
  0: [1, 2, 4, 8, 16],
  2: [8, 16],
  3: [1, 2, 4, 8],
  4: [8, 16],
  6: [8, 16],
};

// Adam7 passes: [x0, y0, dx, dy].
const ADAM7 = [
  [0, 0, 8, 8],
  [4, 0, 8, 8],
  [0, 4, 4, 8],
  [2, 0, 4, 4],
  [0, 2, 2, 4],
  [1, 0, 2, 2],
  [0, 1, 1, 2],
] as const;

/** The IHDR fields of a PNG. */
export interface PngHeader {
  readonly width: number;
  readonly height: number;
  /** 1, 2, 4, 8 or 16, as the colour type allows. */
  readonly bitDepth: number;
  /** 0 grey, 2 RGB, 3 palette, 4 grey+alpha, 6 RGBA. */
  readonly colorType: number;
  /** 0 none, 1 Adam7. */
  readonly interlace: number;
}

const SIGNATURE_HEX = '89 50 4e 47 0d 0a 1a 0a';

function hex(bytes: Uint8Array): string {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join(' ');
}

export function isPng(bytes: Uint8Array): boolean {
  if (bytes.length < 8) return false;
  for (let i = 0; i < 8; i++) if (bytes[i] !== PNG_SIGNATURE[i]) return false;
  return true;
}

function checkSignature(bytes: Uint8Array, name: string): void {
  if (isPng(bytes)) return;
  const head = bytes.length === 0 ? 'an empty file' : `bytes ${hex(bytes.subarray(0, 8))}`;
  throw new FormatError(
    name,
    `not a PNG file (bad signature): expected ${SIGNATURE_HEX}, got ${head}`,
  );
}

/** The header of a PNG (its first chunk), without decoding the image. */
export function readPngHeader(bytes: Uint8Array, name = 'PNG'): PngHeader {
  checkSignature(bytes, name);
  if (bytes.length < 33) {
    throw new FormatError(name, `truncated PNG: ${bytes.length} bytes end inside the IHDR chunk`);
  }
  const type = String.fromCharCode(...bytes.subarray(12, 16));
  if (type !== 'IHDR') throw new FormatError(name, `expected the IHDR chunk first, got ${type}`);
  const length = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getUint32(8);
  return parseHeader(bytes.subarray(16, 16 + Math.min(length, bytes.length - 16)), name);
}

/**
 * Decodes a PNG into 8-bit samples. Supports every standard colour type and bit depth:
 * grey (1/2/4/8/16 bit), RGB, palette, grey+alpha and RGBA, all five row filters, Adam7
 * interlacing, and tRNS transparency (which adds an alpha channel). Every chunk's CRC is
 * checked. 16-bit samples keep their high byte (as libpng's strip_16); 1/2/4-bit grey is scaled
 * to 0–255. Output channels: grey 1, grey+alpha 2, RGB and palette 3, RGBA 4 (+1 with tRNS).
 * `name` (the file) starts every error message.
 */
export function decodePng(bytes: Uint8Array, name = 'PNG'): Image {
  checkSignature(bytes, name);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let header: PngHeader | undefined;
  let palette: Uint8Array | undefined;
  let transparency: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  let offset = 8;
  let ended = false;
  while (offset < bytes.length) {
    if (offset + 12 > bytes.length) {
      throw new FormatError(
        name,
        `truncated PNG: the file ends inside a chunk header at byte ${offset} (${bytes.length} bytes)`,
      );
    }
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    const dataStart = offset + 8;
    const dataEnd = dataStart + length;
    if (dataEnd + 4 > bytes.length) {
      throw new FormatError(
        name,
        `truncated PNG: chunk ${type} at byte ${offset} needs ${length + 12} bytes, the file ends after ${bytes.length - offset}`,
      );
    }
    const stored = view.getUint32(dataEnd);
    const actual = crc32(bytes.subarray(offset + 4, dataEnd));
    if (stored !== actual) {
      throw new FormatError(
        name,
        `CRC mismatch in chunk ${type} at byte ${offset}: stored 0x${stored.toString(16)}, computed 0x${actual.toString(16)} (the file is corrupt)`,
      );
    }
    const data = bytes.subarray(dataStart, dataEnd);
    if (type === 'IHDR') header = parseHeader(data, name);
    else if (type === 'PLTE') palette = data;
    else if (type === 'tRNS') transparency = data;
    else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') {
      ended = true;
      break;
    } else if ((bytes[offset + 4]! & 0x20) === 0) {
      // Bit 5 of the first type byte clear = critical chunk we do not understand.
      throw new FormatError(name, `unknown critical PNG chunk ${type} at byte ${offset}`);
    }
    offset = dataEnd + 4;
  }
  if (!header) throw new FormatError(name, 'no IHDR chunk (not a complete PNG)');
  if (!ended) {
    throw new FormatError(name, `truncated PNG: no IEND chunk in ${bytes.length} bytes`);
  }
  if (idat.length === 0) throw new FormatError(name, 'no IDAT chunk (the PNG holds no image data)');
  if (header.colorType === COLOR_PALETTE && !palette) {
    throw new FormatError(name, 'palette PNG without a PLTE chunk');
  }
  let raw: Buffer;
  try {
    raw = inflateSync(Buffer.concat(idat));
  } catch (error) {
    throw new FormatError(
      name,
      `corrupt PNG image data: zlib says ${(error as Error).message} (the file is damaged or truncated)`,
    );
  }
  return reconstruct(
    header,
    new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength),
    palette,
    transparency,
    name,
  );
}

function parseHeader(data: Uint8Array, name: string): PngHeader {
  if (data.length !== 13) throw new FormatError(name, `IHDR must be 13 bytes, got ${data.length}`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const header: PngHeader = {
    width: view.getUint32(0),
    height: view.getUint32(4),
    bitDepth: data[8]!,
    colorType: data[9]!,
    interlace: data[12]!,
  };
  const depths = ALLOWED_DEPTHS[header.colorType];
  if (!depths) {
    throw new FormatError(
      name,
      `unknown PNG colour type ${header.colorType} (expected 0, 2, 3, 4 or 6)`,
    );
  }
  if (!depths.includes(header.bitDepth)) {
    throw new FormatError(
      name,
      `bit depth ${header.bitDepth} is not allowed with colour type ${header.colorType} (allowed: ${depths.join(', ')})`,
    );
  }
  if (header.width === 0 || header.height === 0) {
    throw new FormatError(name, `zero width or height (${header.width}×${header.height})`);
  }
  if (data[10] !== 0 || data[11] !== 0) {
    throw new FormatError(
      name,
      `unknown compression method ${data[10]} or filter method ${data[11]} (expected 0 and 0)`,
    );
  }
  if (header.interlace > 1) {
    throw new FormatError(name, `unknown interlace method ${header.interlace} (expected 0 or 1)`);
  }
  return header;
}

function reconstruct(
  header: PngHeader,
  raw: Uint8Array,
  palette: Uint8Array | undefined,
  transparency: Uint8Array | undefined,
  name: string,
): Image {
  const { width, height, bitDepth, colorType } = header;
  const fileSamples = FILE_SAMPLES[colorType]!;
  const bitsPerPixel = fileSamples * bitDepth;
  const bpp = Math.max(1, bitsPerPixel >> 3);
  const hasTrns =
    transparency !== undefined &&
    (colorType === COLOR_GREY || colorType === COLOR_RGB || colorType === COLOR_PALETTE);
  const channels = (outChannelsFor(colorType) + (hasTrns ? 1 : 0)) as Channels;
  const out = new Uint8Array(width * height * channels);
  const unpack = makeUnpacker(header, channels, palette, hasTrns ? transparency : undefined, name);

  const passes = header.interlace === 1 ? ADAM7 : ([[0, 0, 1, 1]] as const);
  let offset = 0;
  for (const [x0, y0, dx, dy] of passes) {
    const passWidth = Math.ceil((width - x0) / dx);
    const passHeight = Math.ceil((height - y0) / dy);
    if (passWidth <= 0 || passHeight <= 0) continue;
    const rowBytes = Math.ceil((passWidth * bitsPerPixel) / 8);
    let prior: Uint8Array = new Uint8Array(rowBytes);
    for (let r = 0; r < passHeight; r++) {
      if (offset + 1 + rowBytes > raw.length) {
        throw new FormatError(
          name,
          `PNG image data too short: it ends in row ${r} of ${passHeight}${passes.length > 1 ? ' of an Adam7 pass' : ''} (the file is damaged)`,
        );
      }
      const filter = raw[offset]!;
      const row = raw.subarray(offset + 1, offset + 1 + rowBytes);
      if (!unfilterRow(filter, row, prior, bpp)) {
        throw new FormatError(
          name,
          `unknown PNG row filter ${filter} in row ${r} (expected 0–4; the file is corrupt)`,
        );
      }
      unpack(row, passWidth, out, ((y0 + r * dy) * width + x0) * channels, dx * channels);
      prior = row;
      offset += 1 + rowBytes;
    }
  }
  return { data: out, height, width, channels };
}

function outChannelsFor(colorType: number): number {
  if (colorType === COLOR_PALETTE) return 3;
  return FILE_SAMPLES[colorType]!;
}

type Unpacker = (
  row: Uint8Array,
  count: number,
  out: Uint8Array,
  start: number,
  step: number,
) => void;

/** Builds the function that turns one unfiltered row of `count` pixels into 8-bit output pixels. */
function makeUnpacker(
  header: PngHeader,
  channels: number,
  palette: Uint8Array | undefined,
  trns: Uint8Array | undefined,
  name: string,
): Unpacker {
  const { bitDepth, colorType } = header;
  const fileSamples = FILE_SAMPLES[colorType]!;
  // Sample i of the row at the file's bit depth (no scaling).
  const sampleAt =
    bitDepth === 8
      ? (row: Uint8Array, i: number) => row[i]!
      : bitDepth === 16
        ? (row: Uint8Array, i: number) => (row[2 * i]! << 8) | row[2 * i + 1]!
        : (row: Uint8Array, i: number) => {
            const bit = i * bitDepth;
            return (row[bit >> 3]! >> (8 - bitDepth - (bit & 7))) & ((1 << bitDepth) - 1);
          };
  const to8 =
    bitDepth === 16
      ? (v: number) => v >> 8
      : bitDepth === 8
        ? (v: number) => v
        : (v: number) => (v * 255) / ((1 << bitDepth) - 1);
  // tRNS for grey/RGB holds one colour (16-bit values) that is fully transparent.
  const trnsView = trns ? new DataView(trns.buffer, trns.byteOffset, trns.byteLength) : undefined;

  if (colorType === COLOR_PALETTE) {
    const entries = palette!.length / 3;
    return (row, count, out, start, step) => {
      for (let x = 0, d = start; x < count; x++, d += step) {
        const index = sampleAt(row, x);
        if (index >= entries) {
          throw new FormatError(name, `palette index ${index} ≥ palette size ${entries}`);
        }
        out[d] = palette![3 * index]!;
        out[d + 1] = palette![3 * index + 1]!;
        out[d + 2] = palette![3 * index + 2]!;
        if (channels === 4) out[d + 3] = index < trns!.length ? trns![index]! : 255;
      }
    };
  }
  return (row, count, out, start, step) => {
    for (let x = 0, d = start; x < count; x++, d += step) {
      let transparent = trnsView !== undefined;
      for (let s = 0; s < fileSamples; s++) {
        const v = sampleAt(row, x * fileSamples + s);
        if (transparent && trnsView!.getUint16(2 * s) !== v) transparent = false;
        out[d + s] = to8(v);
      }
      if (trnsView) out[d + fileSamples] = transparent ? 0 : 255;
    }
  };
}
