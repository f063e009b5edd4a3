import * as G from '../src/index';

describe('build-time shape and dtype errors name the op and both shapes', () => {
  const g = new G.Graph();
  const a = g.input('a', [2, 3]);
  const b = g.input('b', [4, 5]);
  test.each([
    ['add', () => G.add(a, b), /Add: shapes \[2, 3\] and \[4, 5\] do not broadcast/],
    ['matmul', () => G.matmul(a, b), /MatMul: \[2, 3\] @ \[4, 5\]: inner dims 3 and 4 differ/],
    ['reshape', () => G.reshape(a, [4, 2]), /Reshape: cannot reshape \[2, 3\] to \[4, 2\]/],
    ['concat', () => G.concat([a, b], 0), /Concat\(axis=0\): float32\[2, 3\] and float32\[4, 5\]/],
    ['gemm', () => G.gemm(a, b), /Gemm: op\(A\) \[2, 3\] and op\(B\) \[4, 5\]/],
    [
      'layerNorm',
      () => G.layerNorm(a, b, b),
      /LayerNormalization: gamma must be \[3\] for input \[2, 3\], got \[4, 5\]/,
    ],
    ['transpose', () => G.transpose(a, [0, 0]), /Transpose: perm \[0,0\]/],
    ['softmax axis', () => G.softmax(a, 2), /Softmax: axis 2 is out of range for rank 2/],
  ])('%s', (_n, f, re) => {
    expect(f).toThrow(re);
    try {
      f();
    } catch (e) {
      expect(G.isGraphError(e)).toBe(true);
    }
  });
  test('dtype mismatch', () => {
    const i = g.input('i', [2, 3], 'int64');
    expect(() => G.add(a, i)).toThrow(/Add: dtypes differ: float32\[2, 3\] vs int64\[2, 3\]/);
    expect(() => G.exp(i)).toThrow(/Exp: expected a float tensor, got int64 \[2, 3\]/);
  });
  test('tensors from another graph are rejected', () => {
    const other = new G.Graph().input('z', [2, 3]);
    expect(() => G.add(a, other)).toThrow(/belongs to another graph/);
  });
  test('duplicate names are rejected', () => {
    expect(() => g.input('a', [1])).toThrow(/name 'a' is already used/);
  });
});

test('symbolic batch dimension: one model runs at several batch sizes', async () => {
  const g = new G.Graph();
  const params = new G.Params({ seed: 3 });
  const scope = new G.Scope(g, params, 'initializers');
  const x = g.input('x', ['batch', 8, 8, 3]);
  const tokens = G.patchify(x, 4); // [batch, 4, 48]
  expect(tokens.shape).toEqual(['batch', 4, 48]);
  const h = G.nn.transformerBlock(
    scope.child('block'),
    G.nn.linear(scope.child('embed'), tokens, 16),
    { heads: 2 },
  );
  const img = G.unpatchify(G.nn.linear(scope.child('head'), h, 48), 4, 8, 8);
  expect(img.shape).toEqual(['batch', 8, 8, 3]);
  g.output(G.reduceMean(img, [1, 2, 3]), 'm');
  g.output(img, 'img');
  const s = await G.openSession(G.toOnnx(g));
  for (const B of [1, 3]) {
    const out = await s.run({
      x: new G.ort.Tensor('float32', new Float32Array(B * 192).fill(0.5), [B, 8, 8, 3]),
    });
    expect(out.img!.dims).toEqual([B, 8, 8, 3]);
    expect(out.m!.dims).toEqual([B]);
  }
});

test('patchify ∘ unpatchify is the identity (nhwc and nchw)', async () => {
  const g = new G.Graph();
  const x = g.input('x', [2, 4, 6, 3]);
  g.output(G.unpatchify(G.patchify(x, 2), 2, 4, 6), 'nhwc');
  const y = g.input('y', [2, 3, 4, 6]);
  g.output(G.unpatchify(G.patchify(y, 2, 'nchw'), 2, 4, 6, 'nchw'), 'nchw');
  const s = await G.openSession(G.toOnnx(g));
  const data = Float32Array.from({ length: 144 }, (_, i) => i);
  const out = await s.run({
    x: new G.ort.Tensor('float32', data, [2, 4, 6, 3]),
    y: new G.ort.Tensor('float32', data, [2, 3, 4, 6]),
  });
  expect(Array.from(out.nhwc!.data as Float32Array)).toEqual(Array.from(data));
  expect(Array.from(out.nchw!.data as Float32Array)).toEqual(Array.from(data));
});

test('patchify orders each token as (row, col, channel)', async () => {
  const g = new G.Graph();
  const x = g.input('x', [1, 2, 2, 2]);
  g.output(G.patchify(x, 2), 't');
  const s = await G.openSession(G.toOnnx(g));
  const data = Float32Array.from({ length: 8 }, (_, i) => i); // x[0,h,w,c] = 4h + 2w + c
  const out = await s.run({ x: new G.ort.Tensor('float32', data, [1, 2, 2, 2]) });
  expect(Array.from(out.t!.data as Float32Array)).toEqual([0, 1, 2, 3, 4, 5, 6, 7]);
});

test('params: initial values depend on (seed, name) only; glorot limit; truncated normal bound', () => {
  const p1 = new G.Params({ seed: 5 });
  const p2 = new G.Params({ seed: 5 });
  p1.declare('a', [3], G.init.normal());
  p1.declare('w', [64, 32], G.init.glorotUniform());
  p2.declare('w', [64, 32], G.init.glorotUniform());
  expect(Array.from(p1.value('w'))).toEqual(Array.from(p2.value('w')));
  const limit = Math.sqrt(6 / 96);
  const w = p1.value('w');
  expect(Math.max(...w)).toBeLessThanOrEqual(limit);
  expect(Math.max(...w)).toBeGreaterThan(0.9 * limit);
  p1.declare('t', [4000], G.init.truncatedNormal(0.02));
  const t = Array.from(p1.value('t'));
  expect(Math.max(...t.map(Math.abs))).toBeLessThanOrEqual(0.04 + 1e-7);
  const mean = t.reduce((s, v) => s + v, 0) / t.length;
  const std = Math.sqrt(t.reduce((s, v) => s + (v - mean) ** 2, 0) / t.length);
  expect(std).toBeGreaterThan(0.015); // truncation at 2σ gives σ·0.88
  expect(std).toBeLessThan(0.02);
  expect(() => p1.declare('w', [3, 3], G.init.zeros())).toThrow(
    /param 'w': declared as \[64, 32\], requested as \[3, 3\]/,
  );
  p1.declare('c', [2], G.init.constant(0.5));
  expect(Array.from(p1.value('c'))).toEqual([0.5, 0.5]);
});

test('asking for CUDA where its provider library is missing throws, naming the library and the install command', async () => {
  const g = new G.Graph();
  g.output(G.neg(g.input('x', [1])), 'y');
  const err = await G.openSession(G.toOnnx(g), { device: 'cuda' }).then(
    () => null,
    (e: unknown) => e,
  );
  if (err === null) {
    console.log('CUDA provider present: nothing to check here');
    return;
  }
  expect(G.isGraphError(err)).toBe(true);
  const msg = String((err as Error).message);
  expect(msg).toMatch(/libonnxruntime_providers_cuda\.so/);
  expect(msg).toMatch(/ONNXRUNTIME_NODE_INSTALL=cuda12 pnpm install/);
  expect(msg).toMatch(/--onnxruntime-node-install=cuda12/);
});

test('reshape with a symbolic batch: flattening gives a product symbol, and back', () => {
  const g = new G.Graph();
  const x = g.input('x', ['batch', 4, 16]);
  const flat = G.reshape(x, [-1, 16]);
  expect(flat.shape).toEqual(['4*batch', 16]);
  expect(G.reshape(flat, ['batch', 4, 16]).shape).toEqual(['batch', 4, 16]);
  expect(G.reshape(x, [0 + 2, -1, 16]).shape).toEqual([2, '2*batch', 16]);
  expect(() => G.reshape(x, ['batch', 5, -1])).toThrow(
    /Reshape: cannot reshape \[batch, 4, 16\] to \[batch, 5, -1\]/,
  );
});

test('session options: threads, optimisation level, arena, memory pattern, log level', async () => {
  const g = new G.Graph();
  g.output(G.mul(g.input('x', [2]), 3), 'y');
  const s = await G.openSession(G.toOnnx(g), {
    threads: 1,
    interOpThreads: 1,
    optimization: 'disabled',
    memoryArena: false,
    memoryPattern: false,
    logSeverityLevel: 3,
    spinning: false,
  });
  const out = await s.run({ x: new G.ort.Tensor('float32', Float32Array.of(1, 2), [2]) });
  expect(Array.from(out.y!.data as Float32Array)).toEqual([3, 6]);
  await expect(G.openSession(G.toOnnx(g), { device: 'tpu' as 'cpu' })).rejects.toThrow(
    /device must be 'cpu' or 'cuda', got 'tpu'/,
  );
});

test('expand / expandAs to a symbolic batch (shape read from a tensor at run time), with gradient', async () => {
  const g = new G.Graph({ dtype: 'float64' });
  const x = g.input('x', ['batch', 2, 3]);
  const table = g.input('table', [2, 3]);
  const tiled = G.expandAs(table, x); // [batch, 2, 3]
  const viaShape = G.expand(G.reshape(table, [1, 2, 3]), ['batch', 2, 3], x);
  expect(tiled.shape).toEqual(['batch', 2, 3]);
  const loss = g.output(G.reduceSum(G.mul(G.add(tiled, viaShape), x)), 'loss');
  const [gt] = G.grad(loss, [table]);
  g.output(gt!, 'gt');
  expect(() => G.expand(table, ['batch', 2, 3])).toThrow(
    /Expand: target \[batch, 2, 3\] has symbolic dims; pass a tensor/,
  );
  const s = await G.openSession(G.toOnnx(g));
  for (const B of [1, 3]) {
    const xs = Float64Array.from({ length: B * 6 }, (_, i) => i % 5);
    const out = await s.run({
      x: new G.ort.Tensor('float64', xs, [B, 2, 3]),
      table: new G.ort.Tensor('float64', new Float64Array(6).fill(1), [2, 3]),
    });
    // d/dtable Σ (2·table)·x = 2 Σ_b x[b]
    const want = Array.from(
      { length: 6 },
      (_, j) => 2 * Array.from({ length: B }, (_, b) => xs[b * 6 + j]!).reduce((a, c) => a + c, 0),
    );
    expect(Array.from(out.gt!.data as Float64Array)).toEqual(want);
  }
});
