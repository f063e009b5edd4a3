import { add, Graph, mul, openSession, ort, toOnnx } from '../src/index';

test('a tiny graph runs in onnxruntime-node', async () => {
  const g = new Graph();
  const x = g.input('x', [2]);
  g.output(add(mul(x, 2), 1), 'y');
  const s = await openSession(toOnnx(g));
  const out = await s.run({ x: new ort.Tensor('float32', Float32Array.from([1, 2]), [2]) });
  expect(Array.from(out.y!.data as Float32Array)).toEqual([3, 5]);
});
