/**
 * The self-conditioned training objective: its loss equals two eval passes composed by hand, and
 * LAMB steps on it (the real training graph: forward ×2, backward, update) reduce the loss.
 */
import {
  buildEvalGraph,
  createTrainer,
  Graph,
  grad,
  lamb,
  meanSquare,
  openSession,
  ort,
  Rng,
  Scope,
  sub,
  toOnnx,
} from '@ns/graph';
import { declareInputs, preset, type RinInputs, rin, trainingModel } from '../src/index';
import { relL2 } from './golden';

const c = preset('tiny');
const B = 4;
const rng = new Rng(12);
const f32 = (n: number, f: () => number) => Float32Array.from({ length: n }, f);
const img = [B, c.imageSize, c.imageSize, c.channels];
const size = img.reduce((a, b) => a * b, 1);
const data = {
  x: new ort.Tensor(
    'float32',
    f32(size, () => rng.normal()),
    img,
  ),
  gamma: new ort.Tensor('float32', Float32Array.of(0.1, 0.4, 0.7, 0.95), [B]),
  labels: new ort.Tensor('int64', BigInt64Array.of(1n, 2n, 3n, 9n), [B]),
  labelMask: new ort.Tensor('float32', Float32Array.of(1, 1, 0, 1), [B]),
};
const target = new ort.Tensor(
  'float32',
  f32(size, () => rng.normal()),
  img,
);
const keep = Float32Array.of(1, 0, 1, 1);

test('loss = mean((f(x, γ, stop_grad(f(x, γ, 0).latents)·keep) − target)²)', async () => {
  const params = rin(c).createParams({ seed: 5 });
  // a nonzero LN₀ scale so pass 1's latents reach pass 2
  params.set(
    'self_cond/ln_out/gamma',
    f32(c.latentDim, () => 0.3),
  );
  const trainer = await createTrainer(
    { model: trainingModel(c), params, optimizer: lamb() },
    { threads: 2 },
  );
  expect([...trainer.dataInputs].sort()).toEqual([
    'gamma',
    'labelMask',
    'labels',
    'selfCondKeep',
    'target',
    'x',
  ]);
  const step = await trainer.run(
    { ...data, target, selfCondKeep: new ort.Tensor('float32', keep, [B]) },
    0,
  );

  const evalModel = await openSession(toOnnx(buildEvalGraph(rin(c).definition(), params)), {
    threads: 2,
  });
  const L = c.latents * c.latentDim;
  const first = await evalModel.run({
    ...data,
    latentsPrev: new ort.Tensor('float32', new Float32Array(B * L), [B, c.latents, c.latentDim]),
  });
  const z = Float32Array.from(
    first.latents!.data as Float32Array,
    (v, i) => v * keep[Math.floor(i / L)]!,
  );
  const second = await evalModel.run({
    ...data,
    latentsPrev: new ort.Tensor('float32', z, [B, c.latents, c.latentDim]),
  });
  const pred = second.prediction!.data as Float32Array;
  const t = target.data as Float32Array;
  const want = pred.reduce((s, v, i) => s + (v - t[i]!) ** 2, 0) / size;
  expect(relL2([step.loss], [want])).toBeLessThan(1e-5);
  // …and keep = 0 everywhere is a different loss (pass 1 matters)
  const zero = await trainer.run(
    { ...data, target, selfCondKeep: new ort.Tensor('float32', new Float32Array(B), [B]) },
    0,
  );
  expect(Math.abs(zero.loss - step.loss)).toBeGreaterThan(1e-6);
});

test('LAMB steps on the self-conditioned objective reduce the loss on a fixed batch', async () => {
  const params = rin(c).createParams({ seed: 6 });
  const trainer = await createTrainer(
    { model: trainingModel(c), params, optimizer: lamb() },
    { threads: 2 },
  );
  const feed = { ...data, target, selfCondKeep: new ort.Tensor('float32', keep, [B]) };
  const losses: number[] = [];
  for (let i = 0; i < 12; i++) losses.push((await trainer.run(feed, 2e-3)).loss);
  expect(losses.at(-1)!).toBeLessThan(0.9 * losses[0]!);
});

test('no gradient flows through pass 1: gradients equal those of pass 2 fed pass-1 latents as data', async () => {
  const params = rin(c).createParams({ seed: 8 });
  params.set(
    'self_cond/ln_out/gamma',
    f32(c.latentDim, () => 0.3),
  );
  const keepT = new ort.Tensor('float32', keep, [B]);
  // (a) the training objective's gradients
  const gA = new Graph();
  const sA = new Scope(gA, params, 'inputs');
  const def = trainingModel(c);
  const ioA = declareInputs(gA, { ...def.inputs, ...def.trainInputs });
  const { loss } = def.build(sA, ioA, 'train');
  const namesA = sA.boundParams().map(([n]) => n);
  grad(
    gA.output(loss!, 'loss'),
    sA.boundParams().map(([, t]) => t),
  ).forEach((t, i) => {
    gA.output(t, `grad/${namesA[i]}`);
  });
  // (b) one pass with latentsPrev as an input, fed pass 1's latents × keep
  const model = rin(c);
  const gB = new Graph();
  const sB = new Scope(gB, params, 'inputs');
  const ioB = declareInputs(gB, { ...model.inputs, target: { shape: ['batch', 16, 16, 3] } });
  const out = model.forward(sB, ioB as unknown as RinInputs, { train: true });
  const lossB = gB.output(meanSquare(sub(out.prediction, ioB.target!)), 'loss');
  gB.output(out.latents, 'latents');
  const namesB = sB.boundParams().map(([n]) => n);
  grad(
    lossB,
    sB.boundParams().map(([, t]) => t),
  ).forEach((t, i) => {
    gB.output(t, `grad/${namesB[i]}`);
  });
  const pfeeds = Object.fromEntries(
    params
      .list()
      .map((s) => [
        s.name,
        new ort.Tensor('float32', params.value(s.name) as Float32Array, [...s.shape]),
      ]),
  );
  const a = await (await openSession(toOnnx(gA))).run({
    ...pfeeds,
    ...data,
    target,
    selfCondKeep: keepT,
  });
  const sessB = await openSession(toOnnx(gB));
  const L = c.latents * c.latentDim;
  const zeros = new ort.Tensor('float32', new Float32Array(B * L), [B, c.latents, c.latentDim]);
  const first = await sessB.run({ ...pfeeds, ...data, target, latentsPrev: zeros });
  const z = Float32Array.from(
    first.latents!.data as Float32Array,
    (v, i) => v * keep[Math.floor(i / L)]!,
  );
  const b = await sessB.run({
    ...pfeeds,
    ...data,
    target,
    latentsPrev: new ort.Tensor('float32', z, [B, c.latents, c.latentDim]),
  });
  expect(relL2(a.loss!.data as Float32Array, b.loss!.data as Float32Array)).toBeLessThan(1e-5);
  expect(namesA.sort()).toEqual(namesB.sort());
  for (const n of namesA) {
    const err = relL2(
      a[`grad/${n}`]!.data as Float32Array,
      b[`grad/${n}`]!.data as Float32Array,
      1e-6,
    );
    expect([n, err < 1e-4]).toEqual([n, true]);
  }
});
