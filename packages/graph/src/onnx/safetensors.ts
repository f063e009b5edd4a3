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
  let json = JSON.stringify(header);
  json += ' '.repeat((8 - ((8 + json.length) % 8)) % 8); // data starts 8-byte aligned
  const head = new TextEncoder().encode(json);
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

export function decodeSafetensors(bytes: Uint8Array): {
  tensors: Record<string, SafeTensor>;
  metadata: Record<string, string>;
} {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const n = Number(view.getBigUint64(0, true));
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n))) as Record<
    string,
    unknown
  >;
  const base = 8 + n;
  const tensors: Record<string, SafeTensor> = {};
  let metadata: Record<string, string> = {};
  for (const [name, info] of Object.entries(header)) {
    if (name === '__metadata__') {
      metadata = info as Record<string, string>;
      continue;
    }
    const { dtype, shape, data_offsets } = info as {
      dtype: string;
      shape: number[];
      data_offsets: [number, number];
    };
    const dt = FROM_CODE[dtype];
    if (!dt)
      throw new GraphError(
        'invalid_artifacts',
        `safetensors: '${name}' has unsupported dtype ${dtype}`,
      );
    // Copy into a fresh, aligned buffer. (Uint8Array's slice copies; a Node Buffer's `slice` would
    // return a view whose `.buffer` is the whole file, or Node's shared pool.)
    const raw = Uint8Array.prototype.slice.call(
      bytes,
      base + data_offsets[0],
      base + data_offsets[1],
    ).buffer;
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
