import { decodeSafetensors, encodeSafetensors, safetensorsLayout } from '../src/index';

test('safetensors: header layout, alignment and round trip (also from a pooled Node Buffer)', () => {
  const bytes = encodeSafetensors(
    {
      'b/kernel': { dtype: 'float32', shape: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, 6) },
      a: { dtype: 'float64', shape: [2], data: Float64Array.of(Math.PI, -0) },
      step: { dtype: 'int64', shape: [], data: BigInt64Array.of(7n) },
    },
    { format: 'x' },
  );
  const n = Number(new DataView(bytes.buffer).getBigUint64(0, true));
  expect((8 + n) % 8).toBe(0);
  const header = JSON.parse(new TextDecoder().decode(bytes.subarray(8, 8 + n)));
  expect(header.__metadata__).toEqual({ format: 'x' });
  // sorted names, contiguous offsets
  expect(header.a).toEqual({ dtype: 'F64', shape: [2], data_offsets: [0, 16] });
  expect(header['b/kernel']).toEqual({ dtype: 'F32', shape: [2, 3], data_offsets: [16, 40] });
  expect(header.step).toEqual({ dtype: 'I64', shape: [], data_offsets: [40, 48] });
  expect(bytes.byteLength).toBe(8 + n + 48);
  // Buffer.from(small) lives in Node's shared pool at a nonzero offset.
  const pooled = Buffer.from(bytes);
  for (const input of [bytes, pooled]) {
    const { tensors, metadata } = decodeSafetensors(input);
    expect(metadata).toEqual({ format: 'x' });
    expect(Array.from(tensors['b/kernel']!.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(Array.from(tensors.a!.data as Float64Array)).toEqual([Math.PI, -0]);
    expect(Array.from(tensors.step!.data as BigInt64Array)).toEqual([7n]);
  }
});

describe('decodeSafetensors validates before allocating', () => {
  const good = encodeSafetensors({
    w: { dtype: 'float32', shape: [2, 3], data: Float32Array.of(1, 2, 3, 4, 5, 6) },
    b: { dtype: 'float64', shape: [2], data: Float64Array.of(7, 8) },
  });
  const headerLength = Number(new DataView(good.buffer).getBigUint64(0, true));
  const withHeader = (header: unknown, data = new Uint8Array(48)) => {
    const json = new TextEncoder().encode(JSON.stringify(header));
    const out = new Uint8Array(8 + json.byteLength + data.byteLength);
    new DataView(out.buffer).setBigUint64(0, BigInt(json.byteLength), true);
    out.set(json, 8);
    out.set(data, 8 + json.byteLength);
    return out;
  };
  const lengthField = (n: bigint) => {
    const out = good.slice();
    new DataView(out.buffer).setBigUint64(0, n, true);
    return out;
  };
  test.each([
    ['a file shorter than the length field', good.slice(0, 5), /5 bytes, too short/],
    [
      'a header longer than the file',
      lengthField(9_000_000_000n),
      /header length 9000000000 exceeds the file/,
    ],
    [
      'a header beyond 100 MB',
      (() => {
        const big = new Uint8Array(8 + 101 * 2 ** 20);
        new DataView(big.buffer).setBigUint64(0, BigInt(101 * 2 ** 20), true);
        return big;
      })(),
      /100 MB limit/,
    ],
    ['a truncated data section', good.slice(0, 8 + headerLength + 10), /truncated/],
    [
      'a header that is not JSON',
      (() => {
        const b = good.slice();
        b[8] = 0x7b;
        b[9] = 0x7b;
        return b;
      })(),
      /not valid JSON/,
    ],
    ['a JSON array header', withHeader([1, 2]), /not a JSON object/],
    [
      'an unknown dtype',
      withHeader({ w: { dtype: 'BF16', shape: [2], data_offsets: [0, 4] } }),
      /unsupported dtype "BF16"/,
    ],
    [
      'a malformed shape',
      withHeader({ w: { dtype: 'F32', shape: [-1], data_offsets: [0, 4] } }),
      /malformed shape/,
    ],
    [
      'reversed offsets',
      withHeader({ w: { dtype: 'F32', shape: [1], data_offsets: [8, 4] } }),
      /malformed data_offsets/,
    ],
    [
      'a shape that disagrees with the bytes',
      withHeader({ w: { dtype: 'F32', shape: [100000, 100000], data_offsets: [0, 48] } }),
      /declares shape \[100000, 100000\].*holds 48 bytes/,
    ],
    [
      'overlapping tensors',
      withHeader({
        a: { dtype: 'F32', shape: [4], data_offsets: [0, 16] },
        b: { dtype: 'F32', shape: [4], data_offsets: [8, 24] },
      }),
      /overlaps/,
    ],
  ])('refuses %s, naming the file', (_what, bytes, message) => {
    expect(() => decodeSafetensors(bytes, 'ckpt/model.safetensors')).toThrow(message);
    expect(() => decodeSafetensors(bytes, 'ckpt/model.safetensors')).toThrow(
      /^ckpt\/model\.safetensors: /,
    );
  });

  test('accepts what encodeSafetensors writes, and its layout matches safetensorsLayout', () => {
    const { tensors } = decodeSafetensors(good);
    expect(Array.from(tensors.w!.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
    const layout = safetensorsLayout({
      w: { dtype: 'float32', shape: [2, 3] },
      b: { dtype: 'float64', shape: [2] },
    });
    const w = layout.get('w')!;
    expect(Array.from(new Float32Array(good.slice(w.offset, w.offset + w.length).buffer))).toEqual([
      1, 2, 3, 4, 5, 6,
    ]);
    const b = layout.get('b')!;
    expect(Array.from(new Float64Array(good.slice(b.offset, b.offset + b.length).buffer))).toEqual([
      7, 8,
    ]);
  });
});
