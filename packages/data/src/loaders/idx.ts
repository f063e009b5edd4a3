import { gunzipSync } from 'node:zlib';

/** An IDX array (the MNIST file format) of unsigned bytes. */
export interface IdxArray {
  readonly shape: readonly number[];
  readonly data: Uint8Array;
}

/**
 * Parses an IDX file (LeCun's MNIST format: magic 0x0000 08 NDIM, big-endian int32 dimensions,
 * then the data). Only the unsigned-byte type (0x08) is supported, which is all MNIST-like sets
 * use. Gzipped files (1F 8B) are unpacked first.
 */
export function parseIdx(bytes: Uint8Array, what = 'IDX file'): IdxArray {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      bytes = new Uint8Array(gunzipSync(bytes));
    } catch (error) {
      throw new Error(`${what}: corrupt or truncated gzip (zlib says ${(error as Error).message})`);
    }
  }
  if (bytes.length < 4 || bytes[0] !== 0 || bytes[1] !== 0) {
    throw new Error(`${what}: bad IDX magic (expected 00 00 08 NDIM)`);
  }
  if (bytes[2] !== 0x08) {
    throw new Error(
      `${what}: IDX data type 0x${bytes[2]!.toString(16)} is not supported (expected 0x08, ubyte)`,
    );
  }
  const ndim = bytes[3]!;
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const shape: number[] = [];
  for (let i = 0; i < ndim; i++) shape.push(view.getUint32(4 + 4 * i));
  const start = 4 + 4 * ndim;
  const size = shape.reduce((a, b) => a * b, 1);
  if (bytes.length !== start + size) {
    throw new Error(
      `${what}: expected ${start + size} bytes for shape [${shape.join(', ')}], got ${bytes.length}`,
    );
  }
  // A plain Uint8Array view (no copy): readFileSync gives a Buffer, whose slice() would not copy.
  return { shape, data: new Uint8Array(bytes.buffer, bytes.byteOffset + start, size) };
}
