import { decodeSafetensors, encodeSafetensors } from '../src/index';

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
