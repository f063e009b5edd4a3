/** Every op's VJP against finite differences (float64 unless the op has no float64 kernel). */
import fc from 'fast-check';
import * as G from '../src/index';
import { gradCheck, type InputSpec } from './gradcheck';

const TOL64 = 1e-6;
const TOL32 = 5e-3;

type Case = [
  string,
  Record<string, InputSpec>,
  (x: Record<string, G.Tensor>) => G.Tensor,
  ('float32' | 'float64')?,
];

const pos: [number, number] = [0.3, 2];
const cases: Case[] = [
  ['add (broadcast)', { a: { shape: [2, 3, 4] }, b: { shape: [3, 1] } }, (x) => G.add(x.a!, x.b!)],
  ['sub (broadcast)', { a: { shape: [4] }, b: { shape: [2, 4] } }, (x) => G.sub(x.a!, x.b!)],
  ['mul (broadcast)', { a: { shape: [2, 1, 4] }, b: { shape: [3, 1] } }, (x) => G.mul(x.a!, x.b!)],
  [
    'div (broadcast)',
    { a: { shape: [2, 3] }, b: { shape: [3], range: pos } },
    (x) => G.div(x.a!, x.b!),
  ],
  ['pow (number exponent)', { a: { shape: [5], range: pos } }, (x) => G.pow(x.a!, 2.5)],
  [
    'pow (tensor exponent)',
    { a: { shape: [2, 3], range: pos }, b: { shape: [3] } },
    (x) => G.pow(x.a!, x.b!),
  ],
  ['neg', { a: { shape: [3, 2] } }, (x) => G.neg(x.a!)],
  ['exp', { a: { shape: [3, 2] } }, (x) => G.exp(x.a!)],
  ['log', { a: { shape: [3, 2], range: pos } }, (x) => G.log(x.a!)],
  ['sqrt', { a: { shape: [3, 2], range: pos } }, (x) => G.sqrt(x.a!)],
  ['tanh', { a: { shape: [3, 2] } }, (x) => G.tanh(x.a!)],
  ['sigmoid', { a: { shape: [3, 2] } }, (x) => G.sigmoid(x.a!)],
  ['silu', { a: { shape: [3, 2] } }, (x) => G.silu(x.a!)],
  ['sin', { a: { shape: [4] } }, (x) => G.sin(x.a!)],
  ['cos', { a: { shape: [4] } }, (x) => G.cos(x.a!)],
  ['erf (float32)', { a: { shape: [3, 4] } }, (x) => G.erf(x.a!), 'float32'],
  ['erf (float64 quadrature)', { a: { shape: [3, 4], range: [-3, 3] } }, (x) => G.erf(x.a!)],
  ['gelu (float64)', { a: { shape: [3, 4], range: [-4, 4] } }, (x) => G.gelu(x.a!)],
  [
    'gelu (float32, Gelu-20)',
    { a: { shape: [3, 4], range: [-3, 3] } },
    (x) => G.gelu(x.a!),
    'float32',
  ],
  ['softmax (last axis)', { a: { shape: [2, 3, 5] } }, (x) => G.softmax(x.a!)],
  ['softmax (axis 1)', { a: { shape: [2, 3, 5] } }, (x) => G.softmax(x.a!, 1)],
  [
    'layerNorm (float64 decomposition)',
    { a: { shape: [2, 3, 6] }, g: { shape: [6] }, b: { shape: [6] } },
    (x) => G.layerNorm(x.a!, x.g!, x.b!),
  ],
  [
    'layerNorm (float32, LayerNormalization-17)',
    { a: { shape: [3, 6] }, g: { shape: [6] }, b: { shape: [6] } },
    (x) => G.layerNorm(x.a!, x.g!, x.b!),
    'float32',
  ],
  [
    'reduceSum (axes, keepdims)',
    { a: { shape: [2, 3, 4] } },
    (x) => G.reduceSum(x.a!, [0, 2], true),
  ],
  ['reduceSum (all)', { a: { shape: [2, 3] } }, (x) => G.reduceSum(x.a!)],
  ['reduceMean (axis)', { a: { shape: [2, 3, 4] } }, (x) => G.reduceMean(x.a!, [-1])],
  ['meanSquare (fused VJP)', { a: { shape: [2, 3, 4] } }, (x) => G.meanSquare(x.a!)],
  ['reshape (-1)', { a: { shape: [2, 3, 4] } }, (x) => G.reshape(x.a!, [4, -1])],
  ['transpose', { a: { shape: [2, 3, 4] } }, (x) => G.transpose(x.a!, [2, 0, 1])],
  [
    'concat',
    { a: { shape: [2, 3] }, b: { shape: [2, 1] }, c: { shape: [2, 2] } },
    (x) => G.concat([x.a!, x.b!, x.c!], 1),
  ],
  ['slice', { a: { shape: [4, 5] } }, (x) => G.slice(x.a!, [1, -4], [3, 4], [0, 1])],
  [
    'gather (axis 0)',
    { a: { shape: [5, 3] }, i: { shape: [2, 2], fixed: { dtype: 'int64', values: [0, 4, 4, 2] } } },
    (x) => G.gather(x.a!, x.i!),
  ],
  [
    'gather (axis 1)',
    { a: { shape: [2, 4, 3] }, i: { shape: [3], fixed: { dtype: 'int64', values: [3, 0, 3] } } },
    (x) => G.gather(x.a!, x.i!, 1),
  ],
  ['expand', { a: { shape: [3, 1] } }, (x) => G.expand(x.a!, [2, 3, 4])],
  [
    'where',
    {
      c: { shape: [2, 3], fixed: { dtype: 'bool', values: [1, 0, 0, 1, 1, 0] } },
      a: { shape: [2, 3] },
      b: { shape: [3] },
    },
    (x) => G.where(x.c!, x.a!, x.b!),
  ],
  [
    'cast float32→float64→float32',
    { a: { shape: [3] } },
    (x) => G.cast(G.mul(G.cast(x.a!, 'float64'), 2), 'float32'),
    'float32',
  ],
  [
    'matmul (batched broadcast)',
    { a: { shape: [2, 1, 3, 4] }, b: { shape: [3, 4, 2] } },
    (x) => G.matmul(x.a!, x.b!),
  ],
  [
    'matmul (3-D @ 2-D, Gemm weight grad)',
    { a: { shape: [2, 3, 4] }, b: { shape: [4, 5] } },
    (x) => G.matmul(x.a!, x.b!),
  ],
  [
    'matmul (2-D @ 2-D)',
    { a: { shape: [3, 4] }, b: { shape: [4, 2] } },
    (x) => G.matmul(x.a!, x.b!),
  ],
  [
    'dropout (mask)',
    {
      a: { shape: [2, 3] },
      m: { shape: [2, 3], fixed: { dtype: 'bool', values: [1, 0, 1, 1, 0, 1] } },
    },
    (x) => G.dropout(x.a!, x.m!, 0.25),
  ],
  ['patchify (nhwc)', { a: { shape: [2, 4, 4, 3] } }, (x) => G.patchify(x.a!, 2)],
  ['patchify (nchw)', { a: { shape: [1, 3, 4, 6] } }, (x) => G.patchify(x.a!, 2, 'nchw')],
  ['unpatchify', { a: { shape: [2, 4, 12] } }, (x) => G.unpatchify(x.a!, 2, 4, 4)],
  ['identity', { a: { shape: [3] } }, (x) => G.identity(x.a!)],
];
for (const tA of [false, true]) {
  for (const tB of [false, true]) {
    cases.push([
      `gemm (transA=${tA}, transB=${tB}, C broadcast)`,
      { a: { shape: tA ? [4, 3] : [3, 4] }, b: { shape: tB ? [2, 4] : [4, 2] }, c: { shape: [2] } },
      (x) => G.gemm(x.a!, x.b!, x.c!, { transA: tA, transB: tB, alpha: 0.7, beta: 1.3 }),
    ]);
  }
}

describe('VJP of every op matches finite differences', () => {
  test.each(cases)('%s', async (_name, specs, build, dtype = 'float64') => {
    const { maxRelErr, checked } = await gradCheck(specs, build, { dtype, seed: 7 });
    expect(checked).toBeGreaterThan(0);
    expect(maxRelErr).toBeLessThan(dtype === 'float64' ? TOL64 : TOL32);
  });
});

test('float64 erf and gelu (built without an Erf kernel) match tabulated values to 1e-15', async () => {
  const g = new G.Graph({ dtype: 'float64' });
  const x = g.input('x', [9]);
  g.output(G.erf(x), 'erf');
  g.output(G.gelu(x), 'gelu');
  const s = await G.openSession(G.toOnnx(g));
  const xs = [-7, -2, -0.5, 0, 0.1, 1, 2, 3, 5];
  const erfRef = [
    -1, -0.9953222650189527, -0.5204998778130465, 0, 0.1124629160182849, 0.8427007929497149,
    0.9953222650189527, 0.9999779095030014, 0.9999999999984626,
  ];
  const out = await s.run({ x: new G.ort.Tensor('float64', Float64Array.from(xs), [9]) });
  const e = Array.from(out.erf!.data as Float64Array);
  for (let i = 0; i < xs.length; i++) expect(Math.abs(e[i]! - erfRef[i]!)).toBeLessThan(1e-15);
  // gelu(1) = 0.5·(1 + erf(1/√2))
  expect(Math.abs((out.gelu!.data as Float64Array)[5]! - 0.8413447460685429)).toBeLessThan(1e-15);
});

test('negative control: the checker catches a wrong VJP', async () => {
  const wrongExp = (x: G.Tensor) => {
    const [y] = x.graph.emit('Exp', [x], [{ shape: x.shape, dtype: x.dtype }]);
    x.graph.record([x], [y!], ([gy]) => [G.mul(gy!, 1.01)]); // should be gy·y
    return y!;
  };
  const { maxRelErr } = await gradCheck({ a: { shape: [4] } }, (x) => wrongExp(x.a!));
  expect(maxRelErr).toBeGreaterThan(1e-2);
});

test('stopGradient blocks the gradient', async () => {
  const g = new G.Graph({ dtype: 'float64' });
  const x = g.input('x', [3]);
  const loss = G.reduceSum(G.mul(G.stopGradient(x), x));
  const [gx] = G.grad(loss, [x]);
  g.output(gx!, 'gx');
  const s = await G.openSession(G.toOnnx(g));
  const out = await s.run({ x: new G.ort.Tensor('float64', Float64Array.from([1, -2, 3]), [3]) });
  // d/dx (c·x) with c = x held constant is x, not 2x.
  expect(Array.from(out.gx!.data as Float64Array)).toEqual([1, -2, 3]);
});

test('random shapes and seeds: broadcasting binary ops and reductions', async () => {
  const dim = fc.integer({ min: 1, max: 4 });
  await fc.assert(
    fc.asyncProperty(
      fc.array(dim, { minLength: 1, maxLength: 3 }),
      fc.integer({ min: 0, max: 2 ** 31 - 1 }),
      fc.boolean(),
      async (shape, seed, keep) => {
        // b broadcasts: same trailing dims with some set to 1, fewer leading dims
        const bShape = shape.slice(1).map((d, i) => ((seed >> i) & 1 ? 1 : d));
        const { maxRelErr } = await gradCheck(
          { a: { shape }, b: { shape: bShape.length ? bShape : [1], range: [0.5, 2] } },
          (x) => G.reduceMean(G.div(G.mul(x.a!, G.tanh(x.a!)), x.b!), [0], keep),
          { seed, directions: 2 },
        );
        expect(maxRelErr).toBeLessThan(TOL64);
      },
    ),
    { numRuns: 6, seed: 42 },
  );
});

test('random shapes: batched matmul and softmax', async () => {
  const dim = fc.integer({ min: 1, max: 4 });
  await fc.assert(
    fc.asyncProperty(
      dim,
      dim,
      dim,
      dim,
      fc.integer({ min: 0, max: 1e6 }),
      async (b, m, k, n, seed) => {
        const { maxRelErr } = await gradCheck(
          { a: { shape: [b, m, k] }, w: { shape: [k, n] } },
          (x) => G.softmax(G.matmul(x.a!, x.w!)),
          { seed, directions: 2 },
        );
        expect(maxRelErr).toBeLessThan(TOL64);
      },
    ),
    { numRuns: 6, seed: 43 },
  );
});
