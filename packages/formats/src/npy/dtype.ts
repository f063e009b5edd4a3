import { badArgument } from '../errors.js';

/** The numpy scalar kinds this package reads and writes (`descr` without its byte-order mark). */
export type NpyDtype =
  | 'f2'
  | 'f4'
  | 'f8'
  | 'i1'
  | 'i2'
  | 'i4'
  | 'i8'
  | 'u1'
  | 'u2'
  | 'u4'
  | 'u8'
  | 'b1';

/**
 * The typed array each dtype is held in after reading. float16 is widened to Float32Array (exact);
 * 64-bit integers stay BigInt so no value is silently rounded; bool is 0/1 bytes.
 */
export interface NpyDataByDtype {
  f2: Float32Array;
  f4: Float32Array;
  f8: Float64Array;
  i1: Int8Array;
  i2: Int16Array;
  i4: Int32Array;
  i8: BigInt64Array;
  u1: Uint8Array;
  u2: Uint16Array;
  u4: Uint32Array;
  u8: BigUint64Array;
  b1: Uint8Array;
}

export type NpyData = NpyDataByDtype[NpyDtype];

export const DTYPE_BYTES: Readonly<Record<NpyDtype, number>> = {
  f2: 2,
  f4: 4,
  f8: 8,
  i1: 1,
  i2: 2,
  i4: 4,
  i8: 8,
  u1: 1,
  u2: 2,
  u4: 4,
  u8: 8,
  b1: 1,
};

export function isNpyDtype(kind: string): kind is NpyDtype {
  return Object.hasOwn(DTYPE_BYTES, kind);
}

export function allocate<D extends NpyDtype>(dtype: D, length: number): NpyDataByDtype[D] {
  const make: { [K in NpyDtype]: (n: number) => NpyDataByDtype[K] } = {
    f2: (n) => new Float32Array(n),
    f4: (n) => new Float32Array(n),
    f8: (n) => new Float64Array(n),
    i1: (n) => new Int8Array(n),
    i2: (n) => new Int16Array(n),
    i4: (n) => new Int32Array(n),
    i8: (n) => new BigInt64Array(n),
    u1: (n) => new Uint8Array(n),
    u2: (n) => new Uint16Array(n),
    u4: (n) => new Uint32Array(n),
    u8: (n) => new BigUint64Array(n),
    b1: (n) => new Uint8Array(n),
  };
  return make[dtype](length);
}

/** The dtype a typed array is written as when no dtype is given. */
export function dtypeOfData(data: NpyData): NpyDtype {
  if (data instanceof Float64Array) return 'f8';
  if (data instanceof Float32Array) return 'f4';
  if (data instanceof Int8Array) return 'i1';
  if (data instanceof Int16Array) return 'i2';
  if (data instanceof Int32Array) return 'i4';
  if (data instanceof BigInt64Array) return 'i8';
  if (data instanceof Uint8Array) return 'u1';
  if (data instanceof Uint16Array) return 'u2';
  if (data instanceof Uint32Array) return 'u4';
  if (data instanceof BigUint64Array) return 'u8';
  return badArgument('data', 'a typed array', data);
}

/** IEEE 754 binary16 → number (exact). */
export function halfToNumber(h: number): number {
  const sign = h & 0x8000 ? -1 : 1;
  const exponent = (h >> 10) & 0x1f;
  const mantissa = h & 0x3ff;
  if (exponent === 0) return sign * mantissa * 2 ** -24;
  if (exponent === 0x1f) return mantissa ? Number.NaN : sign * Number.POSITIVE_INFINITY;
  return sign * (1 + mantissa / 1024) * 2 ** (exponent - 15);
}

/** number → IEEE 754 binary16, round to nearest even (as numpy's astype(float16)). */
export function numberToHalf(value: number): number {
  if (Number.isNaN(value)) return 0x7e00;
  const sign = value < 0 || Object.is(value, -0) ? 0x8000 : 0;
  const a = Math.abs(value);
  if (a >= 65520) return sign | 0x7c00; // rounds to infinity
  if (a < 2 ** -14) {
    // subnormal: units of 2^-24, ties to even
    return sign | roundHalfEven(a * 2 ** 24);
  }
  let exponent = Math.floor(Math.log2(a));
  if (2 ** exponent > a) exponent -= 1; // guard log2 rounding
  if (2 ** (exponent + 1) <= a) exponent += 1;
  let mantissa = roundHalfEven((a / 2 ** exponent - 1) * 1024);
  if (mantissa === 1024) {
    mantissa = 0;
    exponent += 1;
  }
  if (exponent > 15) return sign | 0x7c00;
  return sign | ((exponent + 15) << 10) | mantissa;
}

function roundHalfEven(x: number): number {
  const f = Math.floor(x);
  const r = x - f;
  if (r > 0.5) return f + 1;
  if (r < 0.5) return f;
  return f % 2 === 0 ? f : f + 1;
}
