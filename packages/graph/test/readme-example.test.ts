/** The README's examples, run as written (small sizes). */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  adamw,
  commitTrainer,
  createTrainer,
  Graph,
  grad,
  matmul,
  meanSquare,
  nn,
  openSession,
  ort,
  Params,
  readCheckpoint,
  reduceMean,
  type Scope,
  sub,
  type Tensor,
  tanh,
  toOnnx,
  writeArtifacts,
} from '../src/index';

test('README: model → trainer → artifacts', async () => {
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
  const trainer = await createTrainer(spec, { device: 'cpu', threads: 2 });
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
  for (let k = 0; k < 50; k++)
    losses.push((await trainer.run({ x: xTensor, y: yTensor }, 1e-2)).loss);
  expect(losses[49]!).toBeLessThan(losses[0]!);
  const dir = mkdtempSync(join(tmpdir(), 'ns-graph-readme-'));
  try {
    await writeArtifacts(dir, spec, commitTrainer(spec, trainer));
    expect((await readCheckpoint(dir)).meta.step).toBe(50);
  } finally {
    rmSync(dir, { recursive: true, force: true });
    await trainer.release();
  }
});

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
