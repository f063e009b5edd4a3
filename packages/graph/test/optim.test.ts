/** In-graph AdamW / LAMB / clipping / EMA against tools/golden/graph/optim.py (torch AdamW, tfa LAMB). */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  adamw,
  buildOptimizerGraph,
  init,
  lamb,
  openSession,
  ort,
  Params,
  toOnnx,
} from '../src/index';

interface Snap {
  params: Record<string, number[]>;
  m: Record<string, number[]>;
  v: Record<string, number[]>;
  ema: Record<string, number[]>;
  gradNorm: number | null;
}
const fx = JSON.parse(readFileSync(join(__dirname, '..', 'fixtures', 'optim.json'), 'utf8')) as {
  shapes: Record<string, number[]>;
  hyper: { beta1: number; beta2: number; epsilon: number; weightDecay: number };
  exclude: string[];
  lrs: number[];
  emaDecay: number;
  init: Record<string, number[]>;
  grads: Record<string, number[]>[];
  cases: Record<string, { clipNorm: number | null; trace: Snap[] }>;
};

function relErr(a: ArrayLike<number>, b: ArrayLike<number>): number {
  let num = 0;
  let den = 0;
  for (let i = 0; i < b.length; i++) {
    num += (Number(a[i]) - b[i]!) ** 2;
    den += b[i]! ** 2;
  }
  return Math.sqrt(num) / Math.max(Math.sqrt(den), 1e-30);
}

describe.each([
  ['float64', 1e-12],
  ['float32', 2e-6],
] as const)('%s optimizer graph matches the reference', (dtype, tol) => {
  test.each(Object.keys(fx.cases))('%s', async (name) => {
    const c = fx.cases[name]!;
    const params = new Params({ seed: 0, dtype });
    for (const [n, s] of Object.entries(fx.shapes)) {
      params.declare(n, s, init.zeros());
      params.set(n, fx.init[n]!);
    }
    const h = { ...fx.hyper, excludeFromWeightDecay: fx.exclude };
    const optimizer = name.startsWith('adamw') ? adamw(h) : lamb(h);
    const g = buildOptimizerGraph({
      params,
      optimizer,
      clipNorm: c.clipNorm ?? undefined,
      emaDecay: fx.emaDecay,
    });
    const session = await openSession(toOnnx(g), { threads: 1 });
    const F = dtype === 'float32' ? Float32Array : Float64Array;
    const feeds: Record<string, ort.Tensor> = {};
    for (const [n, s] of Object.entries(fx.shapes)) {
      feeds[n] = new ort.Tensor(dtype, F.from(fx.init[n]!), s);
      feeds[`${n}.m`] = new ort.Tensor(dtype, new F(fx.init[n]!.length), s);
      feeds[`${n}.v`] = new ort.Tensor(dtype, new F(fx.init[n]!.length), s);
      feeds[`${n}.ema`] = new ort.Tensor(dtype, F.from(fx.init[n]!), s);
    }
    for (let k = 0; k < fx.lrs.length; k++) {
      for (const [n, s] of Object.entries(fx.shapes))
        feeds[`${n}.grad`] = new ort.Tensor(dtype, F.from(fx.grads[k]![n]!), s);
      feeds.lr = new ort.Tensor(dtype, F.of(fx.lrs[k]!), []);
      feeds.step = new ort.Tensor('int64', BigInt64Array.of(BigInt(k + 1)), []);
      const out = await session.run(feeds);
      const want = c.trace[k]!;
      for (const n of Object.keys(fx.shapes)) {
        for (const [slot, ref] of [
          ['', want.params],
          ['.m', want.m],
          ['.v', want.v],
          ['.ema', want.ema],
        ] as const) {
          const got = out[`${n}${slot}.new`]!;
          const err = relErr(got.data as Float64Array, ref[n]!);
          if (!(err <= tol))
            throw new Error(`${name} step ${k + 1} ${n}${slot}: rel err ${err} > ${tol}`);
          feeds[`${n}${slot}`] = got; // feed back, as the training loop does
        }
      }
      if (want.gradNorm !== null)
        expect(relErr(out.grad_norm!.data as Float64Array, [want.gradNorm])).toBeLessThan(tol);
    }
    await session.release();
  });
});

test('exclusions: the reference really differs when decay is applied to biases and LayerNorm params', async () => {
  // Guards the test above against a vacuous pass: with no exclusions the first step differs.
  const params = new Params({ seed: 0, dtype: 'float64' });
  for (const [n, s] of Object.entries(fx.shapes)) {
    params.declare(n, s, init.zeros());
    params.set(n, fx.init[n]!);
  }
  const g = buildOptimizerGraph({
    params,
    optimizer: lamb({ ...fx.hyper, excludeFromWeightDecay: [] }),
  });
  const s = await openSession(toOnnx(g));
  const feeds: Record<string, ort.Tensor> = {
    lr: new ort.Tensor('float64', Float64Array.of(fx.lrs[0]!), []),
    step: new ort.Tensor('int64', BigInt64Array.of(1n), []),
  };
  for (const [n, sh] of Object.entries(fx.shapes)) {
    feeds[n] = new ort.Tensor('float64', Float64Array.from(fx.init[n]!), sh);
    feeds[`${n}.grad`] = new ort.Tensor('float64', Float64Array.from(fx.grads[0]![n]!), sh);
    feeds[`${n}.m`] = new ort.Tensor('float64', new Float64Array(fx.init[n]!.length), sh);
    feeds[`${n}.v`] = new ort.Tensor('float64', new Float64Array(fx.init[n]!.length), sh);
  }
  const out = await s.run(feeds);
  expect(
    relErr(out['ln/gamma.new']!.data as Float64Array, fx.cases.lamb!.trace[0]!.params['ln/gamma']!),
  ).toBeGreaterThan(1e-4);
});

describe('EMA warm-up', () => {
  // Reference: d_k = min(decay, (1 + k)/(10 + k)), ema_k = d_k·ema_{k−1} + (1 − d_k)·w_k, in float64.
  test.each([
    [0.999, 12],
    [0.5, 6], // the ramp passes the decay at k = 8: both branches of the min are exercised
  ])('decay %f follows min(decay, (1+k)/(10+k)) for %i updates', async (decay, steps) => {
    const params = new Params({ seed: 0, dtype: 'float64' });
    params.declare('w', [3], init.zeros());
    params.set('w', [1, -2, 0.5]);
    const g = buildOptimizerGraph({
      params,
      optimizer: adamw({ weightDecay: 0 }),
      emaDecay: decay,
      emaWarmup: true,
    });
    const session = await openSession(toOnnx(g), { threads: 1 });
    const feeds: Record<string, ort.Tensor> = {
      w: new ort.Tensor('float64', Float64Array.of(1, -2, 0.5), [3]),
      'w.m': new ort.Tensor('float64', new Float64Array(3), [3]),
      'w.v': new ort.Tensor('float64', new Float64Array(3), [3]),
      'w.ema': new ort.Tensor('float64', Float64Array.of(1, -2, 0.5), [3]),
    };
    let ema = [1, -2, 0.5];
    for (let k = 1; k <= steps; k++) {
      feeds['w.grad'] = new ort.Tensor('float64', Float64Array.of(k, -1, 0.25 * k), [3]);
      feeds.lr = new ort.Tensor('float64', Float64Array.of(0.1), []);
      feeds.step = new ort.Tensor('int64', BigInt64Array.of(BigInt(k)), []);
      const out = await session.run(feeds);
      const w = Array.from(out['w.new']!.data as Float64Array);
      const d = Math.min(decay, (1 + k) / (10 + k));
      ema = ema.map((e, i) => d * e + (1 - d) * w[i]!);
      expect(relErr(out['w.ema.new']!.data as Float64Array, ema)).toBeLessThan(1e-15);
      for (const n of ['w', 'w.m', 'w.v', 'w.ema']) feeds[n] = out[`${n}.new`]!;
    }
    await session.release();
  });

  test('without warm-up the decay is the constant from the first update', async () => {
    const params = new Params({ seed: 0, dtype: 'float64' });
    params.declare('w', [1], init.zeros());
    const g = buildOptimizerGraph({ params, optimizer: adamw({}), emaDecay: 0.9 });
    const session = await openSession(toOnnx(g), { threads: 1 });
    const out = await session.run({
      w: new ort.Tensor('float64', Float64Array.of(0), [1]),
      'w.grad': new ort.Tensor('float64', Float64Array.of(1), [1]),
      'w.m': new ort.Tensor('float64', new Float64Array(1), [1]),
      'w.v': new ort.Tensor('float64', new Float64Array(1), [1]),
      'w.ema': new ort.Tensor('float64', Float64Array.of(1), [1]),
      lr: new ort.Tensor('float64', Float64Array.of(0.1), []),
      step: new ort.Tensor('int64', BigInt64Array.of(1n), []),
    });
    const w = (out['w.new']!.data as Float64Array)[0]!;
    expect((out['w.ema.new']!.data as Float64Array)[0]).toBeCloseTo(0.9 + 0.1 * w, 15);
    await session.release();
  });
});
