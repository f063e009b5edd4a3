import { inflateSync } from 'node:zlib';
import { EvalFidError } from '../errors.js';
import { crc32 } from '../npy/crc32.js';

/** A decoded image: height × width × channels uint8, channels 1 (grey) or 3 (RGB). */
export interface DecodedImage {
  readonly width: number;
  readonly height: number;
  readonly channels: 1 | 3;
  readonly data: Uint8Array;
}

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

/**
 * Decodes a PNG (non-interlaced; bit depth 8 for grey/RGB/alpha types, 1–8 for palette) the way
 * PIL's `convert('RGB' or 'L')` sees it: alpha is dropped (not composited), palettes are expanded.
 * Chunk CRCs are checked. Interlaced and 16-bit files are rejected with a clear error.
 */
export function decodePng(bytes: Uint8Array, name = 'png'): DecodedImage {
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) {
    throw new EvalFidError(name, 'not a PNG file (bad signature)');
  }
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let p = 8;
  let header:
    | { width: number; height: number; depth: number; type: number; interlace: number }
    | undefined;
  let palette: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  for (;;) {
    if (p + 12 > bytes.length) throw new EvalFidError(name, 'truncated PNG (no IEND chunk)');
    const length = dv.getUint32(p);
    const type = String.fromCharCode(...bytes.subarray(p + 4, p + 8));
    if (p + 12 + length > bytes.length) throw new EvalFidError(name, `truncated PNG chunk ${type}`);
    const body = bytes.subarray(p + 8, p + 8 + length);
    if (crc32(bytes.subarray(p + 4, p + 8 + length)) !== dv.getUint32(p + 8 + length)) {
      throw new EvalFidError(name, `PNG chunk ${type}: CRC mismatch (file is corrupt)`);
    }
    p += 12 + length;
    if (type === 'IHDR') {
      const h = new DataView(body.buffer, body.byteOffset, body.byteLength);
      header = {
        width: h.getUint32(0),
        height: h.getUint32(4),
        depth: body[8]!,
        type: body[9]!,
        interlace: body[12]!,
      };
    } else if (type === 'PLTE') {
      palette = body;
    } else if (type === 'IDAT') {
      idat.push(body);
    } else if (type === 'IEND') {
      break;
    }
  }
  if (!header) throw new EvalFidError(name, 'PNG without an IHDR chunk');
  const { width, height, depth, type, interlace } = header;
  if (interlace !== 0) throw new EvalFidError(name, 'interlaced (Adam7) PNGs are not supported');
  const samplesPerPixel = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 }[type];
  if (samplesPerPixel === undefined)
    throw new EvalFidError(name, `expected PNG colour type 0, 2, 3, 4 or 6, got ${type}`);
  const depthOk = type === 3 ? [1, 2, 4, 8].includes(depth) : depth === 8;
  if (!depthOk) {
    throw new EvalFidError(
      name,
      `expected bit depth ${type === 3 ? '1, 2, 4 or 8' : '8'} for colour type ${type}, got ${depth}`,
    );
  }
  if (type === 3 && palette === undefined)
    throw new EvalFidError(name, 'palette PNG without a PLTE chunk');
  let raw: Uint8Array;
  try {
    raw = inflateSync(Buffer.concat(idat));
  } catch (error) {
    throw new EvalFidError(name, `corrupt PNG image data (${String(error)})`);
  }
  const rowBytes = Math.ceil((width * samplesPerPixel * depth) / 8);
  if (raw.length < height * (rowBytes + 1))
    throw new EvalFidError(name, 'truncated PNG image data');
  const pixels = unfilter(raw, height, rowBytes, Math.max(1, (samplesPerPixel * depth) / 8), name);
  const grey = type === 0 || type === 4;
  const out = new Uint8Array(width * height * (grey ? 1 : 3));
  for (let y = 0; y < height; y++) {
    const row = y * rowBytes;
    for (let x = 0; x < width; x++) {
      const o = y * width + x;
      if (type === 3) {
        const bitPos = x * depth;
        const byte = pixels[row + (bitPos >> 3)]!;
        const index = (byte >> (8 - depth - (bitPos & 7))) & ((1 << depth) - 1);
        if (index * 3 + 2 >= palette!.length)
          throw new EvalFidError(name, `palette index ${index} out of range`);
        out.set(palette!.subarray(index * 3, index * 3 + 3), o * 3);
      } else if (grey) {
        out[o] = pixels[row + x * samplesPerPixel]!;
      } else {
        const s = row + x * samplesPerPixel;
        out[o * 3] = pixels[s]!;
        out[o * 3 + 1] = pixels[s + 1]!;
        out[o * 3 + 2] = pixels[s + 2]!;
      }
    }
  }
  return { width, height, channels: grey ? 1 : 3, data: out };
}

/** Undoes the per-row PNG filters (None, Sub, Up, Average, Paeth). */
function unfilter(
  raw: Uint8Array,
  height: number,
  rowBytes: number,
  bpp: number,
  name: string,
): Uint8Array {
  const out = new Uint8Array(height * rowBytes);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (rowBytes + 1)]!;
    const src = y * (rowBytes + 1) + 1;
    const dst = y * rowBytes;
    const prev = dst - rowBytes;
    for (let i = 0; i < rowBytes; i++) {
      const x = raw[src + i]!;
      const a = i >= bpp ? out[dst + i - bpp]! : 0;
      const b = y > 0 ? out[prev + i]! : 0;
      const c = y > 0 && i >= bpp ? out[prev + i - bpp]! : 0;
      let v: number;
      switch (filter) {
        case 0:
          v = x;
          break;
        case 1:
          v = x + a;
          break;
        case 2:
          v = x + b;
          break;
        case 3:
          v = x + ((a + b) >> 1);
          break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          v = x + (pa <= pb && pa <= pc ? a : pb <= pc ? b : c);
          break;
        }
        default:
          throw new EvalFidError(name, `unknown PNG filter type ${filter} in row ${y}`);
      }
      out[dst + i] = v & 0xff;
    }
  }
  return out;
}
