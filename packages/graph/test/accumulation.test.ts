/** gradient_model + optimizer_model compose to exactly the training_model step. */
import * as G from '../src/index';

test('gradient model then optimizer model equals one training step (float64)', async () => {
  const model: G.ModelDefinition = {
    inputs: { x: { shape: [6, 3] } },
    trainInputs: { y: { shape: [6, 2] } },
    build(s, i) {
      const pred = G.nn.mlp(s.child('mlp'), G.nn.layerNorm(s.child('ln'), i.x!), {
        hidden: 5,
        out: 2,
        activation: 'tanh',
      });
      return { outputs: { pred }, loss: i.y ? G.meanSquare(G.sub(pred, i.y)) : undefined };
    },
  };
  const spec: G.TrainingSpec = {
    model,
    params: new G.Params({ seed: 8, dtype: 'float64' }),
    optimizer: G.lamb(),
    clipNorm: 0.5,
    emaDecay: 0.9,
  };
  const training = await G.openSession(G.toOnnx(G.buildTrainingGraph(spec)));
  const gradient = await G.openSession(G.toOnnx(G.buildGradientGraph(spec)));
  const optimizer = await G.openSession(G.toOnnx(G.buildOptimizerGraph(spec)));
  const rng = new G.Rng(3);
  const t = (shape: number[], f: () => number) =>
    new G.ort.Tensor(
      'float64',
      Float64Array.from({ length: shape.reduce((a, b) => a * b, 1) }, f),
      shape,
    );
  const feeds: Record<string, G.ort.Tensor> = {
    x: t([6, 3], () => rng.normal()),
    y: t([6, 2], () => rng.normal()),
    lr: t([], () => 0.01),
    step: new G.ort.Tensor('int64', BigInt64Array.of(3n), []),
  };
  for (const p of spec.params.list()) {
    feeds[p.name] = new G.ort.Tensor('float64', Float64Array.from(spec.params.value(p.name)), [
      ...p.shape,
    ]);
    for (const slot of ['m', 'v'])
      feeds[`${p.name}.${slot}`] = t([...p.shape], () =>
        slot === 'v' ? rng.uniform() : rng.normal(),
      );
    feeds[`${p.name}.ema`] = t([...p.shape], () => rng.normal());
  }
  const full = await training.run(feeds);
  const grads = await gradient.run({
    x: feeds.x!,
    y: feeds.y!,
    ...Object.fromEntries(spec.params.list().map((p) => [p.name, feeds[p.name]!])),
  });
  const optFeeds = { ...feeds };
  delete optFeeds.x;
  delete optFeeds.y;
  for (const p of spec.params.list()) optFeeds[`${p.name}.grad`] = grads[`${p.name}.grad`]!;
  const split = await optimizer.run(optFeeds);
  expect(Number(grads.loss!.data[0])).toBe(Number(full.loss!.data[0]));
  const names = Object.keys(split);
  expect(names).toContain('grad_norm');
  expect(names.filter((n) => n.endsWith('.new'))).toHaveLength(spec.params.list().length * 4);
  for (const n of names) {
    const a = split[n]!.data as Float64Array;
    const b = full[n]!.data as Float64Array;
    for (let i = 0; i < a.length; i++) expect(Math.abs(a[i]! - b[i]!)).toBeLessThan(1e-14);
  }
});
