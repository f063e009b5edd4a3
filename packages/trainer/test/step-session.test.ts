/**
 * The fused training graph stepped by a StepSession: train a small MLP and a one-block
 * transformer to a low loss, check that the eval graph gives the outputs the trained parameters
 * gave inside the training graph (also with external data), and that a session started from a
 * snapshot continues exactly.
 */
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as G from '@ns/graph';
import { commitStepSession, createStepSession, StepSession } from '../src/index';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
function tmp(): string {
  const d = mkdtempSync(join(tmpdir(), 'ns-graph-'));
  dirs.push(d);
  return d;
}
const maxAbsDiff = (a: ArrayLike<number>, b: ArrayLike<number>) => {
  let m = 0;
  for (let i = 0; i < a.length; i++) m = Math.max(m, Math.abs(a[i]! - b[i]!));
  return m;
};

// --- small MLP regression: y = sin(3·x·w) summed features ---
const N = 64;
const DIN = 4;
const DOUT = 2;
function mlpData() {
  const rng = new G.Rng(9);
  const x = Float32Array.from({ length: N * DIN }, () => 2 * rng.uniform() - 1);
  const y = new Float32Array(N * DOUT);
  for (let i = 0; i < N; i++) {
    const s = x[i * DIN]! + 0.5 * x[i * DIN + 1]! - x[i * DIN + 2]!;
    y[i * DOUT] = Math.sin(2 * s);
    y[i * DOUT + 1] = x[i * DIN + 3]! * s;
  }
  return { x, y };
}
const mlpModel: G.ModelDefinition = {
  inputs: { x: { shape: ['batch', DIN] } },
  trainInputs: { y: { shape: ['batch', DOUT] } },
  build(scope, inp) {
    const pred = G.nn.mlp(scope.child('mlp'), inp.x!, {
      hidden: 32,
      out: DOUT,
      activation: 'silu',
    });
    const loss = inp.y ? G.meanSquare(G.sub(pred, inp.y)) : undefined;
    return { outputs: { pred }, loss };
  },
};

test('MLP trains to a low loss; the eval graph reproduces the trained outputs; a snapshot continues exactly', async () => {
  const spec: G.TrainingSpec = {
    model: mlpModel,
    params: new G.Params({ seed: 1 }),
    optimizer: G.adamw({ weightDecay: 1e-4 }),
    clipNorm: 10,
    emaDecay: 0.99,
  };
  const { x, y } = mlpData();
  const batch = {
    x: new G.ort.Tensor('float32', x, [N, DIN]),
    y: new G.ort.Tensor('float32', y, [N, DOUT]),
  };
  const trainer = await createStepSession(spec, { threads: 1 });
  expect([...trainer.dataInputs].sort()).toEqual(['x', 'y']);
  const first = (await trainer.run(batch, 1e-2)).loss;
  let last = first;
  for (let k = 1; k < 400; k++) last = (await trainer.run(batch, 1e-2)).loss;
  if (process.env.NS_GRAPH_VERBOSE) console.log(`MLP loss ${first} → ${last} in 400 steps`);
  expect(first).toBeGreaterThan(0.1);
  expect(last).toBeLessThan(0.01);
  expect(last).toBeLessThan(first / 20);

  // Trained outputs as the training graph computes them (lr = 0 leaves the parameters alone).
  const before = trainer.snapshot();
  const probe = await trainer.run(batch, 0);
  const inGraph = probe.outputs.pred!.data as Float32Array;
  const state = commitStepSession(spec, trainer);
  expect(state.step).toBe(401);
  for (const [n, v] of before.params) expect(maxAbsDiff(v, spec.params.value(n))).toBe(0);

  const evalSession = await G.openSession(G.toOnnx(G.buildEvalGraph(mlpModel, spec.params)));
  expect(evalSession.inputNames).toEqual(['x']);
  const ev = await evalSession.run({ x: batch.x });
  expect(maxAbsDiff(ev.pred!.data as Float32Array, inGraph)).toBeLessThan(1e-6);

  // Resume: a session started from the snapshot makes the same next step as the live one.
  const training = G.serialize(G.buildTrainingGraph(spec)).model;
  const shapes = new Map(spec.params.list().map((p) => [p.name, p.shape] as const));
  const resumed = await StepSession.create(
    training,
    {
      dtype: 'float32',
      params: new Map([...before.params].map(([n, v]) => [n, { shape: shapes.get(n)!, value: v }])),
      state,
    },
    { threads: 1 },
  );
  expect(resumed.step).toBe(401);
  const a = await trainer.run(batch, 5e-3);
  const b = await resumed.run(batch, 5e-3);
  expect(b.loss).toBe(a.loss);
  expect(
    maxAbsDiff(
      resumed.tensor('mlp/dense1/kernel').data as Float32Array,
      trainer.tensor('mlp/dense1/kernel').data as Float32Array,
    ),
  ).toBe(0);

  expect([...state.ema.keys()].sort()).toEqual([
    'mlp/dense1/bias',
    'mlp/dense1/kernel',
    'mlp/dense2/bias',
    'mlp/dense2/kernel',
  ]);

  // The EMA weights make another eval model, whose outputs differ from the online weights'.
  const emaSession = await G.openSession(
    G.toOnnx(G.buildEvalGraph(mlpModel, spec.params.withValues(state.ema))),
  );
  const evEma = (await emaSession.run({ x: batch.x })).pred!.data as Float32Array;
  expect(maxAbsDiff(evEma, inGraph)).toBeGreaterThan(1e-4);
  await Promise.all([
    trainer.release(),
    resumed.release(),
    evalSession.release(),
    emaSession.release(),
  ]);
});

// --- one-block transformer: learn to reverse a sequence (needs attention + positions) ---
const B = 48;
const T = 4;
const D = 6;
const W = 16;
const blockModel: G.ModelDefinition = {
  inputs: { x: { shape: ['batch', T, D] } },
  trainInputs: { y: { shape: ['batch', T, D] } },
  build(scope, inp) {
    const h0 = G.add(
      G.nn.linear(scope.child('embed'), inp.x!, W),
      scope.param('pos_embedding', [T, W], G.init.truncatedNormal(0.5)),
    );
    const h = G.nn.transformerBlock(scope.child('block'), h0, { heads: 2, mlpRatio: 2 });
    const pred = G.nn.linear(scope.child('head'), G.nn.layerNorm(scope.child('ln_f'), h), D);
    return { outputs: { pred }, loss: inp.y ? G.meanSquare(G.sub(pred, inp.y)) : undefined };
  },
};

test('one-block transformer trains to a low loss with LAMB; its eval model (external data) matches', async () => {
  const rng = new G.Rng(4);
  const x = Float32Array.from({ length: B * T * D }, () => rng.normal());
  const y = new Float32Array(x.length);
  for (let b = 0; b < B; b++)
    for (let t = 0; t < T; t++)
      y.set(x.subarray((b * T + T - 1 - t) * D, (b * T + T - t) * D), (b * T + t) * D);
  const batch = {
    x: new G.ort.Tensor('float32', x, [B, T, D]),
    y: new G.ort.Tensor('float32', y, [B, T, D]),
  };
  const spec: G.TrainingSpec = {
    model: blockModel,
    params: new G.Params({ seed: 2 }),
    optimizer: G.lamb({ weightDecay: 1e-4 }),
    clipNorm: 1,
  };
  const trainer = await createStepSession(spec, { threads: 2 });
  const first = (await trainer.run(batch, 1e-2)).loss;
  let last = first;
  for (let k = 1; k < 300; k++) last = (await trainer.run(batch, k < 200 ? 1e-2 : 3e-3)).loss;
  if (process.env.NS_GRAPH_VERBOSE) console.log(`transformer loss ${first} → ${last} in 300 steps`);
  expect(first).toBeGreaterThan(0.8);
  expect(last).toBeLessThan(0.05);
  const inGraph = (await trainer.run(batch, 0)).outputs.pred!.data as Float32Array;
  commitStepSession(spec, trainer);
  const dir = tmp();
  const exported = G.serialize(G.buildEvalGraph(blockModel, spec.params), {
    externalDataThreshold: 1024,
    externalDataFile: 'eval_model.onnx.data',
  });
  writeFileSync(join(dir, 'eval_model.onnx'), exported.model);
  writeFileSync(join(dir, 'eval_model.onnx.data'), exported.externalData!.bytes);
  expect(existsSync(join(dir, 'eval_model.onnx.data'))).toBe(true);
  expect(readFileSync(join(dir, 'eval_model.onnx')).byteLength).toBeLessThan(
    readFileSync(join(dir, 'eval_model.onnx.data')).byteLength,
  );
  const evalSession = await G.openSession(join(dir, 'eval_model.onnx'));
  const ev = await evalSession.run({ x: batch.x });
  expect(maxAbsDiff(ev.pred!.data as Float32Array, inGraph)).toBeLessThan(1e-5);
  // The symbolic batch dim: the eval model also runs on a single example.
  const one = await evalSession.run({
    x: new G.ort.Tensor('float32', x.slice(0, T * D), [1, T, D]),
  });
  expect(maxAbsDiff(one.pred!.data as Float32Array, inGraph.subarray(0, T * D))).toBeLessThan(1e-5);
  await Promise.all([trainer.release(), evalSession.release()]);
});

test('StepSession.run names the input, the expected and the got on a wrong batch', async () => {
  const spec: G.TrainingSpec = {
    model: mlpModel,
    params: new G.Params({ seed: 1 }),
    optimizer: G.adamw(),
  };
  const trainer = await createStepSession(spec);
  const x = new G.ort.Tensor('float32', new Float32Array(8 * DIN), [8, DIN]);
  await expect(trainer.run({ x }, 1e-3)).rejects.toThrow(
    /batch is missing input 'y' \(needs x, y\)/,
  );
  const yBad = new G.ort.Tensor('float32', new Float32Array(8 * 3), [8, 3]);
  await expect(trainer.run({ x, y: yBad }, 1e-3)).rejects.toThrow(
    /input 'y' expects float32\[batch, 2\], got float32\[8, 3\]/,
  );
  const yOtherBatch = new G.ort.Tensor('float32', new Float32Array(4 * DOUT), [4, DOUT]);
  await expect(trainer.run({ x, y: yOtherBatch }, 1e-3)).rejects.toThrow(
    /input 'y' expects float32\[batch, 2\], got float32\[4, 2\]/,
  );
  expect(trainer.step).toBe(0);
  await trainer.release();
});
