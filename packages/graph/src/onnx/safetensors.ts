/**
 * Minimal safetensors reader/writer (https://huggingface.co/docs/safetensors format): an 8-byte
 * little-endian header length, a JSON header of {name: {dtype, shape, data_offsets}}, then the
 * raw little-endian data. Files open with `safetensors.torch.load_file` in PyTorch.
 */
import { GraphError } from '../errors.js';

export type SafeTensor =
  | { readonly dtype: 'float32'; readonly shape: readonly number[]; readonly data: Float32Array }
  | { readonly dtype: 'float64'; readonly shape: readonly number[]; readonly data: Float64Array }
  | { readonly dtype: 'int64'; readonly shape: readonly number[]; readonly data: BigInt64Array };

const CODE = { float32: 'F32', float64: 'F64', int64: 'I64' } as const;
const FROM_CODE: Record<string, SafeTensor['dtype']> = {
  F32: 'float32',
  F64: 'float64',
  I64: 'int64',
};

export function encodeSafetensors(
  tensors: Readonly<Record<string, SafeTensor>>,
  metadata: Record<string, string> = {},
): Uint8Array {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  let offset = 0;
  const names = Object.keys(tensors).sort();
  for (const name of names) {
    const t = tensors[name]!;
    const n = t.shape.reduce((a, b) => a * b, 1);
    if (n !== t.data.length) {
      throw new GraphError(
        'shape_mismatch',
        `safetensors: '${name}' has shape [${t.shape}] but ${t.data.length} values`,
      );
    }
    header[name] = {
      dtype: CODE[t.dtype],
      shape: t.shape,
      data_offsets: [offset, offset + t.data.byteLength],
    };
    offset += t.data.byteLength;
  }
  const head = paddedHeader(JSON.stringify(header));
  const out = new Uint8Array(8 + head.byteLength + offset);
  new DataView(out.buffer).setBigUint64(0, BigInt(head.byteLength), true);
  out.set(head, 8);
  let at = 8 + head.byteLength;
  for (const name of names) {
    const d = tensors[name]!.data;
    out.set(new Uint8Array(d.buffer, d.byteOffset, d.byteLength), at);
    at += d.byteLength;
  }
  return out;
}

/**
 * Where each tensor's bytes lie in the file `encodeSafetensors(tensors)` writes (absolute byte
 * offsets), computed from names, dtypes and shapes alone: files of the same tensors and metadata
 * share one layout, so a model bound to it (`serialize`'s `boundInitializers`) runs on any of them.
 */
export function safetensorsLayout(
  tensors: Readonly<
    Record<string, { readonly dtype: SafeTensor['dtype']; readonly shape: readonly number[] }>
  >,
  metadata: Record<string, string> = {},
): Map<string, { offset: number; length: number }> {
  const header: Record<string, unknown> = {};
  if (Object.keys(metadata).length > 0) header.__metadata__ = metadata;
  const names = Object.keys(tensors).sort();
  let offset = 0;
  const ranges: [string, number, number][] = [];
  for (const name of names) {
    const t = tensors[name]!;
    const length = t.shape.reduce((a, b) => a * b, 1) * (t.dtype === 'float32' ? 4 : 8);
    header[name] = {
      dtype: CODE[t.dtype],
      shape: t.shape,
      data_offsets: [offset, offset + length],
    };
    ranges.push([name, offset, length]);
    offset += length;
  }
  const base = 8 + paddedHeader(JSON.stringify(header)).byteLength;
  return new Map(ranges.map(([name, at, length]) => [name, { offset: base + at, length }]));
}

function paddedHeader(json: string): Uint8Array {
  const head = new TextEncoder().encode(json);
  const pad = (8 - ((8 + head.byteLength) % 8)) % 8; // data starts 8-byte aligned
  const out = new Uint8Array(head.byteLength + pad).fill(0x20);
  out.set(head);
  return out;
}

/** Largest header accepted: real ones are kilobytes; this bounds what a damaged file can allocate. */
const MAX_HEADER_BYTES = 100 * 2 ** 20;
const ELEMENT_BYTES: Record<string, number> = { F32: 4, F64: 8, I64: 8 };

/**
 * Reads a safetensors file, validating it before allocating anything: the header length lies
 * within the file and is at most 100 MB, the header is a JSON object, dtypes are known, every
 * shape is a list of non-negative integers whose element count × dtype size equals its byte
 * range, and the ranges are ordered, non-overlapping and inside the data section. `source` (a
 * file name) starts every error message.
 */
export function decodeSafetensors(
  bytes: Uint8Array,
  source = 'safetensors',
): {
  tensors: Record<string, SafeTensor>;
  metadata: Record<string, string>;
} {
  const bad = (what: string): never => {
    throw new GraphError('invalid_artifacts', `${source}: ${what}`);
  };
  if (bytes.byteLength < 8)
    bad(`file has ${bytes.byteLength} bytes, too short for a safetensors header`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const declared = view.getBigUint64(0, true);
  if (declared > BigInt(bytes.byteLength - 8))
    bad(
      `header length ${declared} exceeds the file (${bytes.byteLength} bytes): truncated or not safetensors`,
    );
  const n = Number(declared);
  if (n > MAX_HEADER_BYTES) bad(`header length ${n} exceeds the 100 MB limit`);
  let header: unknown;
  try {
    header = JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(bytes.subarray(8, 8 + n)));
  } catch (e) {
    bad(`header is not valid JSON (${e instanceof Error ? e.message : String(e)})`);
  }
  if (typeof header !== 'object' || header === null || Array.isArray(header))
    bad('header is not a JSON object');
  const base = 8 + n;
  const dataBytes = bytes.byteLength - base;
  const entries: { name: string; dtype: string; shape: number[]; start: number; end: number }[] =
    [];
  let metadata: Record<string, string> = {};
  for (const [name, info] of Object.entries(header as Record<string, unknown>)) {
    if (name === '__metadata__') {
      if (typeof info !== 'object' || info === null || Array.isArray(info))
        bad('__metadata__ is not an object');
      metadata = info as Record<string, string>;
      continue;
    }
    const t = info as { dtype?: unknown; shape?: unknown; data_offsets?: unknown } | null;
    if (typeof t !== 'object' || t === null) bad(`'${name}' is not an object`);
    const { dtype, shape, data_offsets: offsets } = t as Record<string, unknown>;
    if (typeof dtype !== 'string' || !(dtype in FROM_CODE))
      bad(`'${name}' has unsupported dtype ${JSON.stringify(dtype)} (expected F32, F64 or I64)`);
    if (!Array.isArray(shape) || !shape.every((d) => Number.isSafeInteger(d) && d >= 0))
      bad(`'${name}' has a malformed shape ${JSON.stringify(shape)}`);
    if (
      !Array.isArray(offsets) ||
      offsets.length !== 2 ||
      !offsets.every((o) => Number.isSafeInteger(o) && o >= 0) ||
      offsets[0] > offsets[1]
    )
      bad(`'${name}' has malformed data_offsets ${JSON.stringify(offsets)}`);
    const [start, end] = offsets as [number, number];
    if (end > dataBytes)
      bad(`'${name}' ends at byte ${end} of the data, which has ${dataBytes} bytes: truncated`);
    const count = (shape as number[]).reduce((a, d) => a * d, 1);
    if (count * ELEMENT_BYTES[dtype as string]! !== end - start)
      bad(
        `'${name}' declares shape [${(shape as number[]).join(', ')}] (${count} × ${ELEMENT_BYTES[dtype as string]} bytes) but holds ${end - start} bytes`,
      );
    entries.push({ name, dtype: dtype as string, shape: shape as number[], start, end });
  }
  const ordered = [...entries].sort((a, b) => a.start - b.start);
  for (let i = 1; i < ordered.length; i++) {
    if (ordered[i]!.start < ordered[i - 1]!.end)
      bad(`'${ordered[i]!.name}' overlaps '${ordered[i - 1]!.name}' in the data section`);
  }
  const tensors: Record<string, SafeTensor> = {};
  for (const { name, dtype, shape, start, end } of entries) {
    const dt = FROM_CODE[dtype]!;
    // Copy into a fresh, aligned buffer. (Uint8Array's slice copies; a Node Buffer's `slice` would
    // return a view whose `.buffer` is the whole file, or Node's shared pool.)
    const raw = Uint8Array.prototype.slice.call(bytes, base + start, base + end).buffer;
    const data =
      dt === 'float32'
        ? new Float32Array(raw)
        : dt === 'float64'
          ? new Float64Array(raw)
          : new BigInt64Array(raw);
    tensors[name] = { dtype: dt, shape, data } as SafeTensor;
  }
  return { tensors, metadata };
}
