/** The README's examples, run as written (small sizes). */
import {
  adamw,
  buildTrainingGraph,
  Graph,
  grad,
  initialState,
  matmul,
  meanSquare,
  nn,
  openSession,
  ort,
  Params,
  reduceMean,
  type Scope,
  sub,
  type Tensor,
  tanh,
  toOnnx,
} from '../src/index';

test('README: model → training graph → a plain step loop', async () => {
  const model = {
    inputs: { x: { shape: ['batch', 4] } },
    trainInputs: { y: { shape: ['batch', 2] } },
    build(scope: Scope, i: Record<string, Tensor>) {
      const pred = nn.mlp(scope.child('mlp'), i.x!, {
        hidden: 32,
        out: 2,
        activation: 'gelu' as const,
      });
      return { outputs: { pred }, loss: i.y ? meanSquare(sub(pred, i.y)) : undefined };
    },
  };
  const spec = {
    model,
    params: new Params({ seed: 0 }),
    optimizer: adamw({ weightDecay: 1e-4 }),
    clipNorm: 1,
    emaDecay: 0.999,
  };
  const graph = buildTrainingGraph(spec);
  const session = await openSession(toOnnx(graph), { device: 'cpu', threads: 2 });
  const { feeds, carried } = initialFeeds(
    spec,
    initialState(
      spec,
      spec.params.list().map((p) => p.name),
    ),
  );
  const xTensor = new ort.Tensor(
    'float32',
    Float32Array.from({ length: 32 }, (_, i) => Math.sin(i)),
    [8, 4],
  );
  const yTensor = new ort.Tensor(
    'float32',
    Float32Array.from({ length: 16 }, (_, i) => Math.cos(i)),
    [8, 2],
  );
  const losses: number[] = [];
  for (let k = 1; k <= 50; k++) {
    const out = await session.run({
      ...feeds,
      x: xTensor,
      y: yTensor,
      lr: new ort.Tensor('float32', Float32Array.of(1e-2), []),
      step: new ort.Tensor('int64', BigInt64Array.of(BigInt(k)), []),
    });
    for (const name of carried) feeds[name] = out[`${name}.new`]!;
    losses.push(Number(out.loss!.data[0]));
  }
  expect(losses[49]!).toBeLessThan(losses[0]!);
  expect(session.outputNames).toEqual(
    expect.arrayContaining(['loss', 'grad_norm', 'mlp/dense1/kernel.ema.new']),
  );
  await session.release();
});

/** The README's feeds helper: parameters, their moments and EMA as tensors, by input name. */
function initialFeeds(
  spec: { params: Params },
  state: ReturnType<typeof initialState>,
): { feeds: Record<string, ort.Tensor>; carried: string[] } {
  const feeds: Record<string, ort.Tensor> = {};
  for (const p of spec.params.list()) {
    const shape = [...p.shape] as number[];
    feeds[p.name] = new ort.Tensor('float32', spec.params.value(p.name) as Float32Array, shape);
    for (const [key, v] of state.slots)
      if (key.startsWith(`${p.name}.`))
        feeds[key] = new ort.Tensor('float32', v as Float32Array, shape);
    const ema = state.ema.get(p.name);
    if (ema) feeds[`${p.name}.ema`] = new ort.Tensor('float32', ema as Float32Array, shape);
  }
  return { feeds, carried: Object.keys(feeds) };
}

test('README: builder and grad', async () => {
  const g = new Graph({ dtype: 'float64' });
  const x = g.input('x', [8, 3]);
  const w = g.input('w', [3, 2]);
  const loss = g.output(reduceMean(tanh(matmul(x, w))), 'loss');
  const [dw] = grad(loss, [w]);
  g.output(dw!, 'dw');
  const session = await openSession(toOnnx(g));
  const out = await session.run({
    x: new ort.Tensor('float64', new Float64Array(24).fill(1), [8, 3]),
    w: new ort.Tensor('float64', new Float64Array(6).fill(0), [3, 2]),
  });
  // d/dw mean(tanh(x·w)) at w = 0, x = 1: each of the 16 outputs contributes 1/16 per row of x.
  expect(Array.from(out.dw!.data as Float64Array)).toEqual(new Array(6).fill(0.5));
});
