/**
 * The K-steps-per-run training graph (ONNX Loop around the one-step graph) on real onnxruntime:
 * K plain runs and one K-step run give the same losses, gradient norms, parameters, optimizer
 * slots and EMA, bit for bit; K is symbolic, so runs of different lengths continue each other.
 */
import * as G from '@ns/graph';
import { createStepSession, type Feed, stackSteps } from '../src/index';

const N = 16;
const DIN = 3;
const DOUT = 2;
const model: G.ModelDefinition = {
  inputs: { x: { shape: ['batch', DIN] } },
  trainInputs: { y: { shape: ['batch', DOUT] }, keep: { shape: ['batch', 8], dtype: 'bool' } },
  build(scope, inp, mode) {
    let h = G.nn.linear(scope.child('in'), inp.x!, 8);
    h = G.gelu(h);
    if (mode === 'train') h = G.dropout(h, inp.keep!, 0.25);
    h = G.layerNorm(
      h,
      scope.param('ln/gamma', [8], G.init.ones()),
      scope.param('ln/beta', [8], G.init.zeros()),
    );
    const pred = G.nn.linear(scope.child('out'), h, DOUT);
    return { outputs: { pred }, loss: inp.y ? G.meanSquare(G.sub(pred, inp.y)) : undefined };
  },
};

const specs: Record<string, () => G.TrainingSpec> = {
  'AdamW, clipping, EMA': () => ({
    model,
    params: new G.Params({ seed: 3 }),
    optimizer: G.adamw({ weightDecay: 0.01 }),
    clipNorm: 0.5,
    emaDecay: 0.9,
  }),
  'LAMB, no clipping, no EMA': () => ({
    model,
    params: new G.Params({ seed: 4 }),
    optimizer: G.lamb(),
  }),
};

/** Step k's batch and dropout mask, different at every step. */
function batch(k: number): Record<string, Feed> {
  const rng = new G.Rng(100 + k);
  const floats = (n: number) => Float32Array.from({ length: n }, () => rng.normal());
  return {
    x: new G.ort.Tensor('float32', floats(N * DIN), [N, DIN]),
    y: new G.ort.Tensor('float32', floats(N * DOUT), [N, DOUT]),
    keep: new G.ort.Tensor(
      'bool',
      Uint8Array.from({ length: N * 8 }, () => (rng.uniform() < 0.75 ? 1 : 0)),
      [N, 8],
    ),
  };
}
const lrAt = (k: number) => 1e-2 * (1 + k) ** -0.5;

const bytes = (t: Feed) => Buffer.from((t.data as Float32Array).buffer).toString('hex');

describe.each(Object.entries(specs))('%s', (_name, makeSpec) => {
  test('K plain steps equal one loop over the same K batches, bit for bit (K = 1, 4, 3)', async () => {
    const plainSpec = makeSpec();
    const plain = await createStepSession(plainSpec, { threads: 1 });
    const multi = await createStepSession(makeSpec(), { threads: 1, stepsPerRun: 'K' });
    expect([...multi.dataInputs].sort()).toEqual([...plain.dataInputs].sort());

    const losses: number[] = [];
    const norms: number[] = [];
    for (let k = 0; k < 8; k++) {
      const r = await plain.run(batch(k), lrAt(k));
      losses.push(r.loss);
      if (r.outputs.grad_norm) norms.push(Number(r.outputs.grad_norm.data[0]));
    }
    let at = 0;
    const looped: number[] = [];
    const loopedNorms: number[] = [];
    for (const K of [1, 4, 3]) {
      const ks = Array.from({ length: K }, (_, i) => at + i);
      const r = await multi.runSteps(
        stackSteps(ks.map(batch)),
        ks.map((k) => lrAt(k)),
      );
      expect(r.losses).toHaveLength(K);
      looped.push(...r.losses);
      if (r.outputs.grad_norm) {
        expect(r.outputs.grad_norm.dims).toEqual([K]);
        loopedNorms.push(...Array.from(r.outputs.grad_norm.data as Float32Array));
      }
      expect(r.outputs.pred!.dims).toEqual([K, N, DOUT]);
      at += K;
    }
    expect(multi.step).toBe(8);
    expect(looped).toEqual(losses);
    expect(loopedNorms).toEqual(norms);
    expect(losses[7]).not.toBe(losses[0]);

    const a = plain.snapshot();
    const b = multi.snapshot();
    expect(b.state.step).toBe(a.state.step);
    expect([...b.params.keys()]).toEqual([...a.params.keys()]);
    for (const [n, v] of a.params)
      expect(Buffer.from(b.params.get(n)!.buffer)).toEqual(Buffer.from(v.buffer));
    for (const [n, v] of a.state.slots)
      expect(Buffer.from(b.state.slots.get(n)!.buffer)).toEqual(Buffer.from(v.buffer));
    for (const [n, v] of a.state.ema)
      expect(Buffer.from(b.state.ema.get(n)!.buffer)).toEqual(Buffer.from(v.buffer));
    expect(bytes(multi.tensor('out/kernel'))).toBe(bytes(plain.tensor('out/kernel')));
    await plain.release();
    await multi.release();
  });
});

test('the multi-step graph declares [K, …] per-step inputs, lr [K] and [K] scan outputs', () => {
  const g = G.buildMultiStepTrainingGraph(specs['AdamW, clipping, EMA']!());
  const input = (n: string) => g.inputs.find((t) => t.name === n)!;
  expect(input('x').shape).toEqual(['K', 'batch', DIN]);
  expect(input('keep').shape).toEqual(['K', 'batch', 8]);
  expect(input('lr').shape).toEqual(['K']);
  expect(input('step').shape).toEqual([]);
  expect(input('out/kernel').shape).toEqual([8, DOUT]);
  expect(input('out/kernel.m').shape).toEqual([8, DOUT]);
  const output = (n: string) => g.outputs.find((t) => t.name === n)!;
  expect(output('loss').shape).toEqual(['K']);
  expect(output('grad_norm').shape).toEqual(['K']);
  expect(output('out/kernel.ema.new').shape).toEqual([8, DOUT]);
  // One Loop; every node of the one-step graph sits in its body, none outside.
  const loops = g.nodes.filter((n) => n.op === 'Loop');
  expect(loops).toHaveLength(1);
  const body = (loops[0]!.attrs.body as { graph: G.Graph }).graph;
  const oneStep = G.buildTrainingGraph(specs['AdamW, clipping, EMA']!());
  expect(body.nodes.length).toBe(oneStep.nodes.length + 1 + 4 + 1);
  expect(g.nodes.map((n) => n.op).sort()).toEqual(
    ['Shape', 'Reshape', 'Loop', ...g.outputs.map(() => 'Identity')].sort(),
  );
});

test('StepSession.runSteps names a per-step input whose K differs from lrs.length, or a missing one', async () => {
  const multi = await createStepSession(specs['LAMB, no clipping, no EMA']!(), {
    stepsPerRun: 'K',
    threads: 1,
  });
  const two = stackSteps([batch(0), batch(1)]);
  await expect(multi.runSteps(two, [1e-3, 1e-3, 1e-3])).rejects.toThrow(
    "StepSession.runSteps: input 'x' expects float32[K, batch, 3] with K = 3, got float32[2, 16, 3]",
  );
  const { keep: _keep, ...noKeep } = two;
  await expect(multi.runSteps(noKeep, [1e-3, 1e-3])).rejects.toThrow(
    "StepSession.runSteps: steps is missing input 'keep' (needs x, y, keep)",
  );
  await expect(multi.runSteps(two, [])).rejects.toThrow('`lrs` is empty');
  expect(multi.step).toBe(0);
  await multi.release();
});

test('stackSteps refuses steps whose inputs differ in dims', () => {
  const odd = { ...batch(1), x: new G.ort.Tensor('float32', new Float32Array(2 * DIN), [2, DIN]) };
  expect(() => stackSteps([batch(0), odd])).toThrow(
    "stackSteps: step 1 input 'x' is float32[2, 3], step 0 has float32[16, 3]",
  );
});
