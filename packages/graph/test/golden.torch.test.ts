/**
 * Golden test: loss and all gradients of nn.transformerBlock in float32 (ORT) against PyTorch
 * float64 autograd on identical weights (fixtures/transformer_block.json, written by
 * tools/golden/graph/transformer_block.py). Requirement: relative L2 error ≤ 1e-5.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import * as G from '../src/index';

const fx = JSON.parse(
  readFileSync(join(__dirname, '..', 'fixtures', 'transformer_block.json'), 'utf8'),
) as {
  config: { B: number; T: number; D: number; heads: number; mlpRatio: number };
  x: number[];
  target: number[];
  weights: Record<string, { shape: number[]; data: number[] }>;
  loss: number;
  y: number[];
  grads: Record<string, number[]>;
  gradX: number[];
};

function relL2(a: ArrayLike<number>, b: readonly number[]): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += b[i]! ** 2;
  }
  return Math.sqrt(num / den);
}

test('transformer block: loss, output and all 17 gradients match torch autograd (rel L2 ≤ 1e-5, float32)', async () => {
  const { B, T, D, heads, mlpRatio } = fx.config;
  const g = new G.Graph();
  const params = new G.Params({ seed: 0 });
  const scope = new G.Scope(g, params);
  const x = g.input('x', [B, T, D]);
  const target = g.input('target', [B, T, D]);
  const y = G.nn.transformerBlock(scope.child('block'), x, { heads, mlpRatio, activation: 'gelu' });
  const loss = g.output(G.meanSquare(G.sub(y, target)), 'loss');
  g.output(y, 'y');
  const bound = scope.boundParams();
  expect(bound.map(([n]) => n).sort()).toEqual(Object.keys(fx.weights).sort());
  const grads = G.grad(loss, [x, ...bound.map(([, t]) => t)]);
  g.output(grads[0]!, 'grad:x');
  bound.forEach(([n], i) => {
    g.output(grads[i + 1]!, `grad:${n}`);
  });
  const session = await G.openSession(G.toOnnx(g), { threads: 1 });
  const feeds: Record<string, G.ort.Tensor> = {
    x: new G.ort.Tensor('float32', Float32Array.from(fx.x), [B, T, D]),
    target: new G.ort.Tensor('float32', Float32Array.from(fx.target), [B, T, D]),
  };
  for (const [n, w] of Object.entries(fx.weights))
    feeds[n] = new G.ort.Tensor('float32', Float32Array.from(w.data), w.shape);
  const out = await session.run(feeds);
  const errors: Record<string, number> = {
    loss: relL2(out.loss!.data as Float32Array, [fx.loss]),
    y: relL2(out.y!.data as Float32Array, fx.y),
    'grad:x': relL2(out['grad:x']!.data as Float32Array, fx.gradX),
  };
  // The key bias shifts every score of a query row equally, so softmax cancels it: its gradient is
  // exactly zero (torch: ~1e-17 round-off). Relative error is meaningless there; check it is tiny
  // against the key kernel's gradient instead.
  const zeroGrad = 'block/attn/key/bias';
  expect(Math.hypot(...fx.grads[zeroGrad]!)).toBeLessThan(1e-12);
  const keyScale = Math.hypot(...fx.grads['block/attn/key/kernel']!);
  const ours = Array.from(out[`grad:${zeroGrad}`]!.data as Float32Array);
  expect(Math.hypot(...ours) / keyScale).toBeLessThan(1e-5);
  for (const n of Object.keys(fx.weights)) {
    if (n !== zeroGrad)
      errors[`grad:${n}`] = relL2(out[`grad:${n}`]!.data as Float32Array, fx.grads[n]!);
  }
  expect(Object.keys(errors)).toHaveLength(18);
  const worst = Math.max(...Object.values(errors));
  if (process.env.NS_GRAPH_VERBOSE) console.log(errors);
  expect(worst).toBeLessThanOrEqual(1e-5);
  await session.release();
});
