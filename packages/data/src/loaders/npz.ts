import { readFileSync, renameSync, writeFileSync } from 'node:fs';
import { inflateRawSync } from 'node:zlib';
import { crc32 } from '../crc32.js';
import { createDataset, type Dataset } from '../dataset.js';
import type { ImageBatch } from '../image/grid.js';

// A small reader/writer for exactly the ADM sample layout: arr_0 = uint8 (N, H, W, C) images,
// arr_1 = optional integer (N,) labels. (@ns/eval-fid has general .npy/.npz I/O; this package
// stays independent of it.)

interface NpyArray {
  readonly dtype: string;
  readonly shape: readonly number[];
  readonly data: Uint8Array;
}

/** The members of a zip archive (stored or deflated), by name. No zip64, no encryption. */
export function readZipEntries(bytes: Uint8Array, what = 'zip'): Map<string, Uint8Array> {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  // End of central directory: signature 0x06054b50 within the last 65 557 bytes.
  let eocd = -1;
  for (let i = bytes.length - 22; i >= Math.max(0, bytes.length - 65557); i--) {
    if (view.getUint32(i, true) === 0x06054b50) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) throw new Error(`${what}: not a zip archive (no end-of-central-directory record)`);
  const entries = view.getUint16(eocd + 10, true);
  let offset = view.getUint32(eocd + 16, true);
  if (entries === 0xffff || offset === 0xffffffff) {
    throw new Error(`${what}: zip64 archives are not supported by this reader`);
  }
  const members = new Map<string, Uint8Array>();
  for (let n = 0; n < entries; n++) {
    if (view.getUint32(offset, true) !== 0x02014b50) {
      throw new Error(`${what}: corrupt central directory at byte ${offset}`);
    }
    const flags = view.getUint16(offset + 8, true);
    const method = view.getUint16(offset + 10, true);
    const crc = view.getUint32(offset + 16, true);
    const compressedSize = view.getUint32(offset + 20, true);
    const nameLength = view.getUint16(offset + 28, true);
    const extraLength = view.getUint16(offset + 30, true);
    const commentLength = view.getUint16(offset + 32, true);
    const local = view.getUint32(offset + 42, true);
    const name = new TextDecoder().decode(bytes.subarray(offset + 46, offset + 46 + nameLength));
    if (flags & 1) throw new Error(`${what}: member ${name} is encrypted`);
    if (compressedSize === 0xffffffff || local === 0xffffffff) {
      throw new Error(`${what}: member ${name} needs zip64, which this reader does not support`);
    }
    if (view.getUint32(local, true) !== 0x04034b50) {
      throw new Error(`${what}: bad local header for member ${name}`);
    }
    const dataStart =
      local + 30 + view.getUint16(local + 26, true) + view.getUint16(local + 28, true);
    const raw = bytes.subarray(dataStart, dataStart + compressedSize);
    let data: Uint8Array;
    if (method === 0) data = raw;
    else if (method === 8) data = new Uint8Array(inflateRawSync(raw));
    else
      throw new Error(
        `${what}: member ${name} uses compression method ${method} (expected 0 or 8)`,
      );
    if (crc32(data) !== crc) throw new Error(`${what}: CRC mismatch in member ${name}`);
    members.set(name, data);
    offset += 46 + nameLength + extraLength + commentLength;
  }
  return members;
}

/** Parses a .npy (format 1.x/2.x/3.x) header and returns a view of its data. */
export function parseNpy(bytes: Uint8Array, what = 'npy'): NpyArray {
  const magic = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59];
  if (!magic.every((b, i) => bytes[i] === b))
    throw new Error(`${what}: not a .npy array (bad magic)`);
  const major = bytes[6]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const headerLength = major === 1 ? view.getUint16(8, true) : view.getUint32(8, true);
  const headerStart = major === 1 ? 10 : 12;
  const header = new TextDecoder().decode(bytes.subarray(headerStart, headerStart + headerLength));
  const descr = /'descr':\s*'([^']+)'/.exec(header)?.[1];
  const fortran = /'fortran_order':\s*(True|False)/.exec(header)?.[1];
  const shapeText = /'shape':\s*\(([^)]*)\)/.exec(header)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    throw new Error(`${what}: cannot parse the .npy header ${JSON.stringify(header)}`);
  }
  if (fortran === 'True') {
    throw new Error(
      `${what}: Fortran-order arrays are not supported; save with np.ascontiguousarray`,
    );
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map(Number);
  return { dtype: descr, shape, data: bytes.subarray(headerStart + headerLength) };
}

function labelsFrom(array: NpyArray, count: number, what: string): Int32Array {
  if (array.shape.length !== 1 || array.shape[0] !== count) {
    throw new Error(`${what}: arr_1: expected shape (${count},), got (${array.shape.join(', ')})`);
  }
  const labels = new Int32Array(count);
  const bytes = array.data;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const read: Record<string, (i: number) => number> = {
    '|u1': (i) => bytes[i]!,
    '|i1': (i) => view.getInt8(i),
    '<i2': (i) => view.getInt16(2 * i, true),
    '<u2': (i) => view.getUint16(2 * i, true),
    '<i4': (i) => view.getInt32(4 * i, true),
    '<u4': (i) => view.getUint32(4 * i, true),
    '<i8': (i) => Number(view.getBigInt64(8 * i, true)),
    '<u8': (i) => Number(view.getBigUint64(8 * i, true)),
  };
  const get = read[array.dtype];
  if (!get) {
    throw new Error(
      `${what}: arr_1: expected little-endian integer labels, got dtype ${array.dtype}`,
    );
  }
  for (let i = 0; i < count; i++) {
    const label = get(i);
    if (label < 0 || label > 0x7fffffff)
      throw new Error(`${what}: arr_1[${i}] = ${label} is not a class index`);
    labels[i] = label;
  }
  return labels;
}

/** Reads an ADM-layout .npz: `arr_0` uint8 (N, H, W, C) with C ∈ {1, 3}, optional `arr_1` labels. */
export function loadNpzDataset(
  path: string,
  options: { name?: string; licence?: string } = {},
): Dataset {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(path);
  } catch (error) {
    throw new Error(`loadNpzDataset: cannot read ${path}: ${(error as Error).message}`);
  }
  return parseAdmNpz(bytes, {
    name: options.name ?? path,
    licence: options.licence ?? 'unknown (user file)',
  });
}

export function parseAdmNpz(bytes: Uint8Array, meta: { name: string; licence: string }): Dataset {
  const what = meta.name;
  const members = readZipEntries(bytes, what);
  const images = members.get('arr_0.npy');
  if (!images) {
    throw new Error(
      `${what}: expected an arr_0 member (ADM layout), found ${[...members.keys()].join(', ') || 'none'}`,
    );
  }
  const array = parseNpy(images, `${what}: arr_0`);
  if (array.dtype !== '|u1')
    throw new Error(`${what}: arr_0: expected dtype uint8 (|u1), got ${array.dtype}`);
  // Grey sets are sometimes saved as (N, H, W): treat as one channel.
  const shape = array.shape.length === 3 ? [...array.shape, 1] : array.shape;
  if (shape.length !== 4 || (shape[3] !== 1 && shape[3] !== 3)) {
    throw new Error(
      `${what}: arr_0: expected shape (N, H, W, C) with C = 1 or 3, got (${array.shape.join(', ')})`,
    );
  }
  const [count, height, width, channels] = shape as [number, number, number, 1 | 3];
  const labelsMember = members.get('arr_1.npy');
  const labels = labelsMember
    ? labelsFrom(parseNpy(labelsMember, `${what}: arr_1`), count, what)
    : undefined;
  return createDataset({
    // A copy as a plain Uint8Array: the member may be a Buffer view into the whole file, and
    // Buffer#slice does not copy.
    images: new Uint8Array(array.data.subarray(0, count * height * width * channels)),
    count,
    height,
    width,
    channels,
    labels,
    name: meta.name,
    licence: meta.licence,
  });
}

function npyBytes(dtype: string, shape: readonly number[], data: Uint8Array): Uint8Array {
  const shapeText = shape.length === 1 ? `(${shape[0]},)` : `(${shape.join(', ')})`;
  let header = `{'descr': '${dtype}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  // Pad with spaces so magic + length + header + '\n' is a multiple of 64 (numpy's alignment).
  const total = Math.ceil((10 + header.length + 1) / 64) * 64;
  header = `${header.padEnd(total - 10 - 1, ' ')}\n`;
  const out = new Uint8Array(total + data.length);
  out.set([0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59, 1, 0], 0);
  new DataView(out.buffer).setUint16(8, header.length, true);
  out.set(new TextEncoder().encode(header), 10);
  out.set(data, total);
  return out;
}

/** A stored (uncompressed) zip of the given members, as numpy.savez writes. */
function zipStored(members: readonly (readonly [string, Uint8Array])[]): Uint8Array {
  const locals: Uint8Array[] = [];
  const centrals: Uint8Array[] = [];
  let offset = 0;
  for (const [name, data] of members) {
    const nameBytes = new TextEncoder().encode(name);
    const crc = crc32(data);
    if (data.length >= 0xffffffff)
      throw new Error(`npz: member ${name} is too large for a zip without zip64`);
    const local = new Uint8Array(30 + nameBytes.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 20, true);
    lv.setUint16(8, 0, true);
    lv.setUint16(10, 0x0000, true); // time
    lv.setUint16(12, 0x0021, true); // date 1980-01-01, fixed so files are reproducible
    lv.setUint32(14, crc, true);
    lv.setUint32(18, data.length, true);
    lv.setUint32(22, data.length, true);
    lv.setUint16(26, nameBytes.length, true);
    local.set(nameBytes, 30);
    const central = new Uint8Array(46 + nameBytes.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(14, 0x0021, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, data.length, true);
    cv.setUint32(24, data.length, true);
    cv.setUint16(28, nameBytes.length, true);
    cv.setUint32(42, offset, true);
    central.set(nameBytes, 46);
    locals.push(local, data);
    centrals.push(central);
    offset += local.length + data.length;
  }
  const centralSize = centrals.reduce((s, c) => s + c.length, 0);
  const end = new Uint8Array(22);
  const ev = new DataView(end.buffer);
  ev.setUint32(0, 0x06054b50, true);
  ev.setUint16(8, members.length, true);
  ev.setUint16(10, members.length, true);
  ev.setUint32(12, centralSize, true);
  ev.setUint32(16, offset, true);
  const parts = [...locals, ...centrals, end];
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let at = 0;
  for (const part of parts) {
    out.set(part, at);
    at += part.length;
  }
  return out;
}

/**
 * An ADM-layout .npz in memory: arr_0 = the images as uint8 (N, H, W, C), and arr_1 = labels as
 * int64 (N,) when given. Readable by numpy.load and by ADM's evaluator.
 */
export function encodeAdmNpz(batch: ImageBatch, labels?: ArrayLike<number>): Uint8Array {
  const { images, count, height, width, channels } = batch;
  if (images.length !== count * height * width * channels) {
    throw new RangeError(
      `images: expected ${count * height * width * channels} bytes, got ${images.length}`,
    );
  }
  const members: [string, Uint8Array][] = [
    ['arr_0.npy', npyBytes('|u1', [count, height, width, channels], images)],
  ];
  if (labels !== undefined) {
    if (labels.length !== count)
      throw new RangeError(`labels: expected ${count}, got ${labels.length}`);
    const data = new Uint8Array(8 * count);
    const view = new DataView(data.buffer);
    for (let i = 0; i < count; i++) view.setBigInt64(8 * i, BigInt(labels[i]!), true);
    members.push(['arr_1.npy', npyBytes('<i8', [count], data)]);
  }
  return zipStored(members);
}

/** Writes `encodeAdmNpz(batch, labels)` to `path` (temporary file, then rename). */
export function writeAdmNpz(path: string, batch: ImageBatch, labels?: ArrayLike<number>): void {
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, encodeAdmNpz(batch, labels));
  renameSync(temporary, path);
}
