import { badArgument, FormatError, fail } from '../errors.js';
import {
  allocate,
  DTYPE_BYTES,
  dtypeOfData,
  halfToNumber,
  isNpyDtype,
  type NpyData,
  type NpyDataByDtype,
  type NpyDtype,
  numberToHalf,
} from './dtype.js';

/** An n-d array as read from or written to `.npy`. `data` is always in C (row-major) order. */
export interface NpyArray<D extends NpyDtype = NpyDtype> {
  readonly dtype: D;
  readonly shape: readonly number[];
  readonly data: NpyDataByDtype[D];
}

const MAGIC = [0x93, 0x4e, 0x55, 0x4d, 0x50, 0x59]; // \x93NUMPY

interface NpyHeader {
  dtype: NpyDtype;
  littleEndian: boolean;
  fortranOrder: boolean;
  shape: number[];
  dataOffset: number;
}

/** Parses a whole `.npy` file (format versions 1.0, 2.0 and 3.0). `source` names it in errors. */
export function parseNpy(bytes: Uint8Array, source = 'npy'): NpyArray {
  const header = parseHeader(bytes, source);
  const count = header.shape.reduce((a, b) => a * b, 1);
  const itemBytes = DTYPE_BYTES[header.dtype];
  const dataBytes = bytes.length - header.dataOffset;
  const what = `shape [${header.shape.join(', ')}] of ${header.dtype} (${itemBytes} bytes each) is ${count * itemBytes} bytes`;
  if (dataBytes < count * itemBytes) {
    throw new FormatError(
      source,
      `truncated .npy: ${what}, the file holds ${dataBytes} after the header`,
    );
  }
  if (dataBytes > count * itemBytes) {
    throw new FormatError(
      source,
      `.npy size mismatch: ${what}, but the file holds ${dataBytes} after the header (damaged or not written by numpy)`,
    );
  }
  const view = new DataView(bytes.buffer, bytes.byteOffset + header.dataOffset, count * itemBytes);
  const flat = decode(view, header.dtype, count, header.littleEndian);
  const data = header.fortranOrder ? fortranToC(flat, header.shape) : flat;
  return { dtype: header.dtype, shape: header.shape, data };
}

const SUPPORTED = 'f2 f4 f8 i1 i2 i4 i8 u1 u2 u4 u8 b1';

function parseHeader(bytes: Uint8Array, source: string): NpyHeader {
  const prefix = Math.min(bytes.length, MAGIC.length);
  if (MAGIC.slice(0, prefix).some((m, i) => bytes[i] !== m)) {
    const head = Array.from(bytes.subarray(0, 6), (b) => b.toString(16).padStart(2, '0')).join(' ');
    throw new FormatError(
      source,
      `not a .npy file (bad magic: expected 93 4e 55 4d 50 59 "\\x93NUMPY", got ${head || 'an empty file'})`,
    );
  }
  if (bytes.length < 10) {
    throw new FormatError(source, `truncated .npy: ${bytes.length} bytes end inside the header`);
  }
  const major = bytes[6]!;
  if (major < 1 || major > 3) fail(source, '.npy format version 1, 2 or 3', major);
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const lengthBytes = major === 1 ? 2 : 4;
  const start = 8 + lengthBytes;
  if (bytes.length < start) {
    throw new FormatError(source, `truncated .npy: ${bytes.length} bytes end inside the header`);
  }
  const headerLength = major === 1 ? dv.getUint16(8, true) : dv.getUint32(8, true);
  if (bytes.length < start + headerLength) {
    throw new FormatError(
      source,
      `truncated .npy header: it declares ${headerLength} bytes, the file has ${bytes.length - start} after the length field`,
    );
  }
  const text = new TextDecoder(major === 3 ? 'utf-8' : 'latin1').decode(
    bytes.subarray(start, start + headerLength),
  );
  const dict = text.trim();
  if (!dict.startsWith('{') || !dict.endsWith('}')) {
    fail(source, 'a .npy header that is a Python dict literal {…}', truncate(dict));
  }
  if (/'descr'\s*:\s*\[/.test(dict)) {
    throw new FormatError(
      source,
      `structured (record) dtypes are not supported: got ${truncate(dict)}; save plain numeric arrays (${SUPPORTED})`,
    );
  }
  const descr = /'descr'\s*:\s*'([^']*)'/.exec(dict)?.[1];
  const fortran = /'fortran_order'\s*:\s*(True|False)/.exec(dict)?.[1];
  const shapeText = /'shape'\s*:\s*\(([^)]*)\)/.exec(dict)?.[1];
  if (descr === undefined || fortran === undefined || shapeText === undefined) {
    fail(source, "a header dict with 'descr', 'fortran_order' and 'shape'", truncate(dict));
  }
  const order = descr[0];
  const kind = /^[<>|=]/.test(descr) ? descr.slice(1) : descr;
  if (!isNpyDtype(kind)) {
    fail(
      source,
      `a dtype among ${SUPPORTED} (strings, objects, complex and structured dtypes are not read)`,
      descr,
    );
  }
  const shape = shapeText
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .map((s) => {
      const n = Number(s.replace(/L$/, ''));
      if (!Number.isSafeInteger(n) || n < 0) {
        fail(source, 'a shape of non-negative integers', `(${shapeText})`);
      }
      return n;
    });
  return {
    dtype: kind,
    littleEndian: order !== '>',
    fortranOrder: fortran === 'True',
    shape,
    dataOffset: start + headerLength,
  };
}

function truncate(text: string): string {
  return text.length > 120 ? `${text.slice(0, 117)}…` : text;
}

function decode(view: DataView, dtype: NpyDtype, count: number, little: boolean): NpyData {
  const out = allocate(dtype, count);
  const size = DTYPE_BYTES[dtype];
  // Fast path: aligned little-endian data can be copied as a typed array.
  if (little && dtype !== 'f2' && dtype !== 'b1' && view.byteOffset % size === 0) {
    const Ctor = out.constructor as new (b: ArrayBufferLike, o: number, n: number) => NpyData;
    out.set(new Ctor(view.buffer, view.byteOffset, count) as never);
    return out;
  }
  for (let i = 0; i < count; i++) {
    const p = i * size;
    switch (dtype) {
      case 'f8':
        (out as Float64Array)[i] = view.getFloat64(p, little);
        break;
      case 'f4':
        (out as Float32Array)[i] = view.getFloat32(p, little);
        break;
      case 'f2':
        (out as Float32Array)[i] = halfToNumber(view.getUint16(p, little));
        break;
      case 'i1':
        (out as Int8Array)[i] = view.getInt8(p);
        break;
      case 'i2':
        (out as Int16Array)[i] = view.getInt16(p, little);
        break;
      case 'i4':
        (out as Int32Array)[i] = view.getInt32(p, little);
        break;
      case 'i8':
        (out as BigInt64Array)[i] = view.getBigInt64(p, little);
        break;
      case 'u1':
        (out as Uint8Array)[i] = view.getUint8(p);
        break;
      case 'b1':
        (out as Uint8Array)[i] = view.getUint8(p) === 0 ? 0 : 1;
        break;
      case 'u2':
        (out as Uint16Array)[i] = view.getUint16(p, little);
        break;
      case 'u4':
        (out as Uint32Array)[i] = view.getUint32(p, little);
        break;
      case 'u8':
        (out as BigUint64Array)[i] = view.getBigUint64(p, little);
        break;
    }
  }
  return out;
}

/** Reorders column-major data of `shape` into row-major order. */
function fortranToC<T extends NpyData>(src: T, shape: readonly number[]): T {
  const nd = shape.length;
  if (nd < 2) return src;
  const count = src.length;
  const dst = new (src.constructor as new (n: number) => T)(count);
  const strideF = new Array<number>(nd);
  strideF[0] = 1;
  for (let k = 1; k < nd; k++) strideF[k] = strideF[k - 1]! * shape[k - 1]!;
  const index = new Array<number>(nd).fill(0);
  let f = 0;
  for (let c = 0; c < count; c++) {
    (dst as unknown as number[])[c] = (src as unknown as number[])[f]!;
    // advance the C-order multi-index (last axis fastest), keeping the Fortran offset in step
    for (let k = nd - 1; k >= 0; k--) {
      index[k]! += 1;
      f += strideF[k]!;
      if (index[k]! < shape[k]!) break;
      f -= index[k]! * strideF[k]!;
      index[k] = 0;
    }
  }
  return dst;
}

/** Options for serialising. `dtype` converts the data (e.g. 'f2' from a Float32Array). */
export interface SerializeNpyOptions {
  dtype?: NpyDtype;
}

/**
 * Writes a `.npy` file: little-endian, C order, header 1.0 (2.0 only when the header is longer
 * than 65535 bytes), data aligned to 64 bytes as numpy does.
 */
export function serializeNpy(
  array: { shape: readonly number[]; data: NpyData; dtype?: NpyDtype },
  options: SerializeNpyOptions = {},
): Uint8Array {
  const dtype = options.dtype ?? array.dtype ?? dtypeOfData(array.data);
  const count = array.shape.reduce((a, b) => a * b, 1);
  for (const n of array.shape) {
    if (!Number.isSafeInteger(n) || n < 0)
      badArgument('shape', 'non-negative integers', array.shape);
  }
  if (count !== array.data.length) {
    badArgument(
      'data',
      `${count} elements for shape [${array.shape.join(', ')}]`,
      array.data.length,
    );
  }
  const isBig = dtype === 'i8' || dtype === 'u8';
  const dataIsBig = array.data instanceof BigInt64Array || array.data instanceof BigUint64Array;
  if (isBig !== dataIsBig) {
    badArgument('dtype', `a dtype matching ${array.data.constructor.name}`, dtype);
  }
  const shapeText =
    array.shape.length === 1 ? `(${array.shape[0]},)` : `(${array.shape.join(', ')})`;
  const dict = `{'descr': '${DTYPE_BYTES[dtype] === 1 ? '|' : '<'}${dtype}', 'fortran_order': False, 'shape': ${shapeText}, }`;
  let version = 1;
  let prefix = 10;
  let headerLength = pad64(prefix + dict.length + 1) - prefix;
  if (headerLength > 0xffff) {
    version = 2;
    prefix = 12;
    headerLength = pad64(prefix + dict.length + 1) - prefix;
  }
  const size = DTYPE_BYTES[dtype];
  const out = new Uint8Array(prefix + headerLength + count * size);
  out.set(MAGIC, 0);
  out[6] = version;
  out[7] = 0;
  const dv = new DataView(out.buffer);
  if (version === 1) dv.setUint16(8, headerLength, true);
  else dv.setUint32(8, headerLength, true);
  const headerText = `${dict.padEnd(headerLength - 1, ' ')}\n`;
  for (let i = 0; i < headerText.length; i++) out[prefix + i] = headerText.charCodeAt(i);
  encode(new DataView(out.buffer, prefix + headerLength), dtype, array.data);
  return out;
}

function pad64(n: number): number {
  return Math.ceil(n / 64) * 64;
}

// .npy data is little-endian: on a little-endian machine a typed array of the file's own dtype
// is already those bytes and is copied in one go.
const LITTLE_ENDIAN_HOST = new Uint8Array(Uint16Array.of(1).buffer)[0] === 1;

function encode(view: DataView, dtype: NpyDtype, data: NpyData): void {
  const size = DTYPE_BYTES[dtype];
  if (LITTLE_ENDIAN_HOST && dtype !== 'f2' && dtype !== 'b1' && dtypeOfData(data) === dtype) {
    new Uint8Array(view.buffer, view.byteOffset, data.length * size).set(
      new Uint8Array(data.buffer, data.byteOffset, data.length * size),
    );
    return;
  }
  for (let i = 0; i < data.length; i++) {
    const p = i * size;
    const v = data[i]!;
    switch (dtype) {
      case 'f8':
        view.setFloat64(p, Number(v), true);
        break;
      case 'f4':
        view.setFloat32(p, Number(v), true);
        break;
      case 'f2':
        view.setUint16(p, numberToHalf(Number(v)), true);
        break;
      case 'i1':
        view.setInt8(p, Number(v));
        break;
      case 'i2':
        view.setInt16(p, Number(v), true);
        break;
      case 'i4':
        view.setInt32(p, Number(v), true);
        break;
      case 'i8':
        view.setBigInt64(p, BigInt(v), true);
        break;
      case 'u1':
        view.setUint8(p, Number(v));
        break;
      case 'b1':
        view.setUint8(p, Number(v) === 0 ? 0 : 1);
        break;
      case 'u2':
        view.setUint16(p, Number(v), true);
        break;
      case 'u4':
        view.setUint32(p, Number(v), true);
        break;
      case 'u8':
        view.setBigUint64(p, BigInt(v), true);
        break;
    }
  }
}

/**
 * The array's values as float64 (C order). 64-bit integers beyond 2^53 throw rather than round.
 * Returns the same Float64Array when the data already is one.
 */
export function toFloat64(array: NpyArray, source = 'array'): Float64Array {
  const { data } = array;
  if (data instanceof Float64Array) return data;
  const out = new Float64Array(data.length);
  if (data instanceof BigInt64Array || data instanceof BigUint64Array) {
    for (let i = 0; i < data.length; i++) {
      const n = Number(data[i]!);
      if (!Number.isSafeInteger(n)) fail(source, 'integers within ±2^53', data[i]);
      out[i] = n;
    }
    return out;
  }
  out.set(data);
  return out;
}
