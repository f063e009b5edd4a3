/**
 * Behaviour of the built graph with real ONNX Runtime sessions: zero-initialised
 * self-conditioning, dynamic batch with per-example independence, variance normalisation inside
 * the graph, input checks, in-graph dropout, and eval_model.onnx export.
 */
import { buildEvalGraph, Graph, openSession, ort, Params, Rng, Scope, toOnnx } from '@ns/graph';
import {
  declareInputs,
  isRinError,
  paramsFromWeights,
  preset,
  type RinConfig,
  type RinInputs,
  rin,
} from '../src/index';
import { loadGolden, relL2 } from './golden';

const f32 = (n: number, f: (i: number) => number) =>
  Float32Array.from({ length: n }, (_, i) => f(i));

/** Random feeds for a config at batch B. */
function feeds(c: RinConfig, B: number, seed: number, over: Record<string, ort.Tensor> = {}) {
  const rng = new Rng(seed);
  const out: Record<string, ort.Tensor> = {
    x: new ort.Tensor(
      'float32',
      f32(B * c.imageSize ** 2 * c.channels, () => rng.normal()),
      [B, c.imageSize, c.imageSize, c.channels],
    ),
    gamma: new ort.Tensor(
      'float32',
      f32(B, () => rng.uniform()),
      [B],
    ),
  };
  if (c.numClasses > 0) {
    out.labels = new ort.Tensor(
      'int64',
      BigInt64Array.from({ length: B }, (_, i) => BigInt(i % c.numClasses)),
      [B],
    );
    out.labelMask = new ort.Tensor(
      'float32',
      f32(B, () => 1),
      [B],
    );
  }
  if (c.selfCondition === 'latent')
    out.latentsPrev = new ort.Tensor('float32', new Float32Array(B * c.latents * c.latentDim), [
      B,
      c.latents,
      c.latentDim,
    ]);
  return { ...out, ...over };
}

const tiny = preset('tiny');

async function evalSession(c: RinConfig, params: Params) {
  return openSession(toOnnx(buildEvalGraph(rin(c).definition(), params)), { threads: 2 });
}

test('zero-initialised self-conditioning: latentsPrev = 0 and random give identical outputs at init', async () => {
  const model = rin(tiny);
  const params = model.createParams({ seed: 7 });
  const s = await evalSession(tiny, params);
  const B = 3;
  const rng = new Rng(1);
  const randomPrev = new ort.Tensor(
    'float32',
    f32(B * tiny.latents * tiny.latentDim, () => 3 * rng.normal()),
    [B, tiny.latents, tiny.latentDim],
  );
  const a = await s.run(feeds(tiny, B, 5));
  const b = await s.run(feeds(tiny, B, 5, { latentsPrev: randomPrev }));
  expect(Array.from(b.prediction!.data as Float32Array)).toEqual(
    Array.from(a.prediction!.data as Float32Array),
  );
  expect(Array.from(b.latents!.data as Float32Array)).toEqual(
    Array.from(a.latents!.data as Float32Array),
  );
  // …and the test can fail: once LN₀'s scale is nonzero the previous latents matter.
  params.set(
    'self_cond/ln_out/gamma',
    f32(tiny.latentDim, () => 0.1),
  );
  const s2 = await evalSession(tiny, params);
  const c = await s2.run(feeds(tiny, B, 5));
  const d = await s2.run(feeds(tiny, B, 5, { latentsPrev: randomPrev }));
  expect(
    relL2(d.prediction!.data as Float32Array, c.prediction!.data as Float32Array),
  ).toBeGreaterThan(1e-3);
});

test('dynamic batch: one model at batch 1 and 4, each example independent of the others', async () => {
  const params = rin(tiny).createParams({ seed: 2 });
  const s = await evalSession(tiny, params);
  const B = 4;
  const all = feeds(tiny, B, 9);
  const out = await s.run(all);
  expect(out.prediction!.dims).toEqual([B, 16, 16, 3]);
  expect(out.latents!.dims).toEqual([B, tiny.latents, tiny.latentDim]);
  const per = (t: ort.Tensor, i: number) => {
    const n = t.data.length / B;
    return (t.data as Float32Array).slice(i * n, (i + 1) * n);
  };
  for (const i of [0, 3]) {
    const one: Record<string, ort.Tensor> = {};
    for (const [k, t] of Object.entries(all))
      one[k] = new ort.Tensor(t.type as 'float32', per(t, i) as Float32Array, [
        1,
        ...t.dims.slice(1),
      ]);
    const o = await s.run(one);
    expect(relL2(o.prediction!.data as Float32Array, per(out.prediction!, i))).toBeLessThan(1e-5);
    expect(relL2(o.latents!.data as Float32Array, per(out.latents!, i))).toBeLessThan(1e-5);
  }
});

test('the noisy image is variance-normalised inside the graph (output invariant to scaling x)', async () => {
  const s = await evalSession(tiny, rin(tiny).createParams({ seed: 4 }));
  const base = feeds(tiny, 2, 11);
  const x = base.x!.data as Float32Array;
  const scaled = new ort.Tensor(
    'float32',
    x.map((v) => 5 * v),
    base.x!.dims as number[],
  );
  const a = await s.run(base);
  const b = await s.run({ ...base, x: scaled });
  expect(
    relL2(b.prediction!.data as Float32Array, a.prediction!.data as Float32Array),
  ).toBeLessThan(1e-5);
});

test('inputs follow the config: unconditional and no self-conditioning drop their inputs', () => {
  const uncond = rin({ ...tiny, numClasses: 0, latents: 7 });
  expect(Object.keys(uncond.inputs)).toEqual(['x', 'gamma', 'latentsPrev']);
  const plain = rin({ ...tiny, selfCondition: 'none' });
  expect(Object.keys(plain.inputs)).toEqual(['x', 'gamma', 'labels', 'labelMask']);
  expect(rin(tiny).inputs.labels).toEqual({ shape: ['batch'], dtype: 'int64' });
  const g = new Graph();
  const io = declareInputs(g, rin(tiny).inputs) as unknown as RinInputs;
  try {
    plain.forward(new Scope(g, new Params({ seed: 0 })), io);
    throw new Error('unreachable');
  } catch (e) {
    expect(isRinError(e) && e.code).toBe('invalid_input');
    expect(String(e)).toMatch(/input 'latentsPrev' must be absent \(selfCondition = "none"\)/);
  }
  expect(() => rin({ ...tiny, rwHeads: 5 })).toThrow(/rwHeads: expected a divisor of min/);
});

test('training mode draws fresh dropout masks in the graph; eval mode is deterministic', async () => {
  const c: RinConfig = { ...tiny, dropout: 0.3, dropPath: 0.3 };
  const model = rin(c);
  const params = model.createParams({ seed: 1 });
  const g = new Graph();
  const io = declareInputs(g, model.inputs) as unknown as RinInputs;
  const out = model.forward(new Scope(g, params, 'initializers'), io, { train: true });
  g.output(out.prediction, 'prediction');
  const random = g.nodes.filter((n) => n.op === 'RandomUniformLike');
  // per process layer: units mask + two drop-path masks; read/write units have none
  expect(random).toHaveLength(3 * c.blocks.reduce((a, b) => a + b, 0));
  const s = await openSession(toOnnx(g), { threads: 2 });
  const f = feeds(c, 2, 3);
  const a = (await s.run(f)).prediction!.data as Float32Array;
  const b = (await s.run(f)).prediction!.data as Float32Array;
  expect(relL2(a, b)).toBeGreaterThan(1e-4);
  const e = await evalSession(c, params);
  const ea = (await e.run(f)).prediction!.data as Float32Array;
  expect(Array.from((await e.run(f)).prediction!.data as Float32Array)).toEqual(Array.from(ea));
  // without rates the training graph has no random nodes at all
  const g2 = new Graph();
  rin(tiny).forward(
    new Scope(g2, rin(tiny).createParams()),
    declareInputs(g2, rin(tiny).inputs) as unknown as RinInputs,
    { train: true },
  );
  expect(g2.nodes.some((n) => n.op === 'RandomUniformLike')).toBe(false);
});

test('the eval graph of golden weights matches the PyTorch reference; weights that do not fit are named', async () => {
  const golden = loadGolden();
  const weights = new Map(
    golden.params.map((n) => [n, golden.tensors[`param/${n}`]!.data as Float32Array]),
  );
  const params = paramsFromWeights(golden.config, weights);
  const s = await openSession(toOnnx(buildEvalGraph(rin(golden.config).definition(), params)), {
    threads: 2,
  });
  expect(s.inputNames).toEqual(['x', 'gamma', 'labels', 'labelMask', 'latentsPrev']);
  expect(s.outputNames).toEqual(['prediction', 'latents']);
  const T = golden.tensors;
  const t = (name: string) =>
    new ort.Tensor('float32', T[name]!.data as Float32Array, [...T[name]!.shape]);
  const out = await s.run({
    x: t('input/x'),
    gamma: t('input/gamma'),
    labels: new ort.Tensor('int64', T['input/labels']!.data as BigInt64Array, [golden.batch]),
    labelMask: t('label_dropped/labelMask'),
    latentsPrev: t('input/latentsPrev'),
  });
  expect(
    relL2(
      out.prediction!.data as Float32Array,
      T['label_dropped/prediction']!.data as Float32Array,
    ),
  ).toBeLessThan(5e-5);
  expect(
    relL2(out.latents!.data as Float32Array, T['label_dropped/latents']!.data as Float32Array),
  ).toBeLessThan(5e-5);
  weights.delete('readout/kernel');
  weights.set('stray', new Float32Array(1));
  expect(() => paramsFromWeights(golden.config, weights)).toThrow(
    /missing \[readout\/kernel\], unexpected \[stray\]/,
  );
});
