import { inflateSync } from 'node:zlib';
import { crc32 } from '../crc32.js';
import type { Channels, Image } from '../image/image.js';
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

interface Header {
  width: number;
  height: number;
  bitDepth: number;
  colorType: number;
  interlace: number;
}

function isPngSignature(bytes: Uint8Array): boolean {
  if (bytes.length < 8) return false;
  for (let i = 0; i < 8; i++) if (bytes[i] !== PNG_SIGNATURE[i]) return false;
  return true;
}

export function isPng(bytes: Uint8Array): boolean {
  return isPngSignature(bytes);
}

/**
 * Decodes a PNG into 8-bit samples. Supports every standard colour type and bit depth:
 * grey (1/2/4/8/16 bit), RGB, palette, grey+alpha and RGBA, all five row filters, Adam7
 * interlacing, and tRNS transparency (which adds an alpha channel). Every chunk's CRC is
 * checked. 16-bit samples keep their high byte (as libpng's strip_16); 1/2/4-bit grey is scaled
 * to 0–255. Output channels: grey 1, grey+alpha 2, RGB and palette 3, RGBA 4 (+1 with tRNS).
 */
export function decodePng(bytes: Uint8Array): Image {
  if (!isPngSignature(bytes)) {
    throw new Error('PNG: bad signature (expected \\x89PNG\\r\\n\\x1a\\n); not a PNG file');
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let header: Header | undefined;
  let palette: Uint8Array | undefined;
  let transparency: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  let offset = 8;
  let ended = false;
  while (offset < bytes.length) {
    if (offset + 12 > bytes.length)
      throw new Error(`PNG: truncated chunk header at byte ${offset}`);
    const length = view.getUint32(offset);
    const type = String.fromCharCode(...bytes.subarray(offset + 4, offset + 8));
    const dataStart = offset + 8;
    const dataEnd = dataStart + length;
    if (dataEnd + 4 > bytes.length) {
      throw new Error(`PNG: chunk ${type} at byte ${offset} runs past the end of the file`);
    }
    const stored = view.getUint32(dataEnd);
    const actual = crc32(bytes, offset + 4, dataEnd);
    if (stored !== actual) {
      throw new Error(
        `PNG: CRC mismatch in chunk ${type} at byte ${offset}: stored 0x${stored.toString(16)}, computed 0x${actual.toString(16)}`,
      );
    }
    const data = bytes.subarray(dataStart, dataEnd);
    if (type === 'IHDR') header = parseHeader(data);
    else if (type === 'PLTE') palette = data;
    else if (type === 'tRNS') transparency = data;
    else if (type === 'IDAT') idat.push(data);
    else if (type === 'IEND') {
      ended = true;
      break;
    } else if ((bytes[offset + 4]! & 0x20) === 0) {
      // Bit 5 of the first type byte clear = critical chunk we do not understand.
      throw new Error(`PNG: unknown critical chunk ${type}`);
    }
    offset = dataEnd + 4;
  }
  if (!header) throw new Error('PNG: no IHDR chunk');
  if (!ended) throw new Error('PNG: no IEND chunk; the file is truncated');
  if (idat.length === 0) throw new Error('PNG: no IDAT chunk');
  if (header.colorType === COLOR_PALETTE && !palette) {
    throw new Error('PNG: palette image without a PLTE chunk');
  }
  const raw = inflateSync(Buffer.concat(idat));
  return reconstruct(
    header,
    new Uint8Array(raw.buffer, raw.byteOffset, raw.byteLength),
    palette,
    transparency,
  );
}

function parseHeader(data: Uint8Array): Header {
  if (data.length !== 13) throw new Error(`PNG: IHDR must be 13 bytes, got ${data.length}`);
  const view = new DataView(data.buffer, data.byteOffset, data.byteLength);
  const header: Header = {
    width: view.getUint32(0),
    height: view.getUint32(4),
    bitDepth: data[8]!,
    colorType: data[9]!,
    interlace: data[12]!,
  };
  const depths = ALLOWED_DEPTHS[header.colorType];
  if (!depths) throw new Error(`PNG: unknown colour type ${header.colorType}`);
  if (!depths.includes(header.bitDepth)) {
    throw new Error(
      `PNG: bit depth ${header.bitDepth} is not allowed with colour type ${header.colorType} (allowed: ${depths.join(', ')})`,
    );
  }
  if (header.width === 0 || header.height === 0) throw new Error('PNG: zero width or height');
  if (data[10] !== 0 || data[11] !== 0)
    throw new Error('PNG: unknown compression or filter method');
  if (header.interlace > 1) throw new Error(`PNG: unknown interlace method ${header.interlace}`);
  return header;
}

function reconstruct(
  header: Header,
  raw: Uint8Array,
  palette: Uint8Array | undefined,
  transparency: Uint8Array | undefined,
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
  const unpack = makeUnpacker(header, channels, palette, hasTrns ? transparency : undefined);

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
        throw new Error(`PNG: image data too short (ends in row ${r} of ${passHeight})`);
      }
      const filter = raw[offset]!;
      const row = raw.subarray(offset + 1, offset + 1 + rowBytes);
      unfilterRow(filter, row, prior, bpp);
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
  header: Header,
  channels: number,
  palette: Uint8Array | undefined,
  trns: Uint8Array | undefined,
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
        if (index >= entries)
          throw new Error(`PNG: palette index ${index} ≥ palette size ${entries}`);
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
