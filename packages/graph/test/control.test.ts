/**
 * ONNX Loop with a subgraph body (ops/control.ts), serialised as a GRAPH attribute and run by
 * onnxruntime: a running sum carried across iterations, a scan output per iteration, and a body
 * that reads an outer-scope tensor by name.
 */
import * as G from '../src/index';

/** body(i, cond, acc) = (cond, acc + xs[i], acc · 2); xs is read from the outer graph. */
function sumBody(xs: G.Tensor): G.Graph {
  const body = new G.Graph({ name: 'sum_body' });
  const i = new G.Tensor(body, 'i', [], 'int64');
  const cond = new G.Tensor(body, 'cond', [], 'bool');
  const acc = new G.Tensor(body, 'acc', [3], 'float32');
  body.inputs.push(i, cond, acc);
  body.nodes.push(
    { op: 'Identity', name: 'n0', inputs: ['cond'], outputs: ['cond_out'], attrs: {} },
    {
      op: 'Gather',
      name: 'n1',
      inputs: [xs.name, 'i'],
      outputs: ['row'],
      attrs: { axis: { int: 0 } },
    },
    { op: 'Add', name: 'n2', inputs: ['acc', 'row'], outputs: ['acc_out'], attrs: {} },
    { op: 'Mul', name: 'n3', inputs: ['acc', 'two'], outputs: ['doubled'], attrs: {} },
  );
  body.initializers.push({ name: 'two', dtype: 'float32', shape: [], data: Float32Array.of(2) });
  body.outputs.push(
    new G.Tensor(body, 'cond_out', [], 'bool'),
    new G.Tensor(body, 'acc_out', [3], 'float32'),
    new G.Tensor(body, 'doubled', [3], 'float32'),
  );
  return body;
}

test('a Loop carries a running sum and stacks a scan output; onnxruntime runs it', async () => {
  const g = new G.Graph();
  const xs = g.input('xs', ['n', 3]);
  const start = g.input('start', [3]);
  const trips = g.input('trips', [], 'int64');
  const { carried, scans } = G.loop(g, {
    tripCount: trips,
    carried: [start],
    body: sumBody(xs),
    iterations: 'n',
  });
  expect(carried[0]!.shape).toEqual([3]);
  expect(scans[0]!.shape).toEqual(['n', 3]);
  g.output(carried[0]!, 'total');
  g.output(scans[0]!, 'doubled');

  const session = await G.openSession(G.toOnnx(g), { threads: 1 });
  const out = await session.run({
    xs: new G.ort.Tensor('float32', Float32Array.of(1, 2, 3, 10, 20, 30, 100, 200, 300), [3, 3]),
    start: new G.ort.Tensor('float32', Float32Array.of(0.5, 0, 0), [3]),
    trips: new G.ort.Tensor('int64', BigInt64Array.of(3n), []),
  });
  expect(Array.from(out.total!.data as Float32Array)).toEqual([111.5, 222, 333]);
  expect(out.doubled!.dims).toEqual([3, 3]);
  expect(Array.from(out.doubled!.data as Float32Array)).toEqual([1, 0, 0, 3, 4, 6, 23, 44, 66]);
  await session.release();
});

test.each([
  [
    'a float trip count',
    (g: G.Graph) => ({ tripCount: g.input('t', []), carried: [g.input('s', [3])] }),
    'Loop: tripCount must be int64[], got float32[]',
  ],
  [
    'a carried value of another shape',
    (g: G.Graph) => ({ tripCount: g.input('t', [], 'int64'), carried: [g.input('s', [4])] }),
    'Loop: carried value 0 is Tensor(s: float32[4]) but the body takes Tensor(acc: float32[3]) and returns Tensor(acc_out: float32[3])',
  ],
  [
    'too many carried values',
    (g: G.Graph) => ({
      tripCount: g.input('t', [], 'int64'),
      carried: [g.input('s', [3]), g.input('u', [3])],
    }),
    'Loop: a body for 2 carried values needs 4 inputs and at least 3 outputs, got 3 and 3',
  ],
])('loop refuses %s', (_what, make, message) => {
  const g = new G.Graph();
  const xs = g.input('xs', ['n', 3]);
  expect(() => G.loop(g, { ...make(g), body: sumBody(xs), iterations: 'n' })).toThrow(message);
});
