import { crc32, deflateSync } from 'node:zlib';
import { checkImage, type Image } from '../image.js';
import { PNG_SIGNATURE } from './decode.js';
import {
  FILTER_AVERAGE,
  FILTER_NONE,
  FILTER_PAETH,
  FILTER_SUB,
  FILTER_UP,
  filterRow,
} from './filters.js';

export type PngFilter = 'none' | 'sub' | 'up' | 'average' | 'paeth' | 'adaptive';

export interface PngEncodeOptions {
  /**
   * Row filter. 'adaptive' (default) tries all five per row and keeps the one with the smallest
   * sum of absolute signed bytes, the heuristic the PNG spec recommends.
   */
  filter?: PngFilter;
  /** zlib level 0–9 (default 6). */
  level?: number;
}

const FILTER_CODES: Record<Exclude<PngFilter, 'adaptive'>, number> = {
  none: FILTER_NONE,
  sub: FILTER_SUB,
  up: FILTER_UP,
  average: FILTER_AVERAGE,
  paeth: FILTER_PAETH,
};

// PNG colour type by our channel count: grey, grey+alpha, RGB, RGBA.
const COLOR_TYPE: Record<number, number> = { 1: 0, 2: 4, 3: 2, 4: 6 };

/** Encodes an 8-bit grey / grey+alpha / RGB / RGBA image as a non-interlaced PNG. */
export function encodePng(image: Image, options: PngEncodeOptions = {}): Uint8Array {
  checkImage(image);
  const { data, height, width, channels } = image;
  const filter = options.filter ?? 'adaptive';
  if (filter !== 'adaptive' && !(filter in FILTER_CODES)) {
    throw new RangeError(
      `filter: expected none|sub|up|average|paeth|adaptive, got ${String(filter)}`,
    );
  }
  const level = options.level ?? 6;
  if (!Number.isInteger(level) || level < 0 || level > 9) {
    throw new RangeError(`level: expected an integer 0–9, got ${level}`);
  }
  const rowBytes = width * channels;
  const filtered = new Uint8Array(height * (rowBytes + 1));
  const candidate = new Uint8Array(rowBytes);
  let prior: Uint8Array = new Uint8Array(rowBytes);
  for (let y = 0; y < height; y++) {
    const row = data.subarray(y * rowBytes, (y + 1) * rowBytes);
    const target = filtered.subarray(y * (rowBytes + 1) + 1, (y + 1) * (rowBytes + 1));
    let type: number;
    if (filter === 'adaptive') {
      type = FILTER_NONE;
      let best = Number.POSITIVE_INFINITY;
      for (let t = FILTER_NONE; t <= FILTER_PAETH; t++) {
        filterRow(t, row, prior, channels, candidate);
        let cost = 0;
        for (let i = 0; i < rowBytes; i++) {
          const v = candidate[i]!;
          cost += v < 128 ? v : 256 - v;
        }
        if (cost < best) {
          best = cost;
          type = t;
          target.set(candidate);
        }
      }
    } else {
      type = FILTER_CODES[filter];
      filterRow(type, row, prior, channels, target);
    }
    filtered[y * (rowBytes + 1)] = type;
    prior = row;
  }

  const ihdr = new Uint8Array(13);
  const ihdrView = new DataView(ihdr.buffer);
  ihdrView.setUint32(0, width);
  ihdrView.setUint32(4, height);
  ihdr[8] = 8;
  ihdr[9] = COLOR_TYPE[channels]!;
  // ihdr[10..12]: deflate compression, adaptive filtering, no interlace (all 0).
  const compressed = deflateSync(filtered, { level });
  const chunks = [
    chunk('IHDR', ihdr),
    chunk('IDAT', new Uint8Array(compressed.buffer, compressed.byteOffset, compressed.byteLength)),
    chunk('IEND', new Uint8Array(0)),
  ];
  const total = PNG_SIGNATURE.length + chunks.reduce((sum, c) => sum + c.length, 0);
  const out = new Uint8Array(total);
  out.set(PNG_SIGNATURE, 0);
  let offset = PNG_SIGNATURE.length;
  for (const c of chunks) {
    out.set(c, offset);
    offset += c.length;
  }
  return out;
}

function chunk(type: string, data: Uint8Array): Uint8Array {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  for (let i = 0; i < 4; i++) out[4 + i] = type.charCodeAt(i);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
}
