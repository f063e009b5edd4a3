/** Gradient checks of composites (w.r.t. inputs and every parameter), random shapes and seeds. */
import fc from 'fast-check';
import {
  Graph,
  grad,
  mul,
  nn,
  openSession,
  ort,
  Params,
  reduceSum,
  Scope,
  type Tensor,
  toOnnx,
} from '../src/index';
import { Rng } from '../src/rng';

/** Check d loss / d (x and all params) of `body` in float64 along random directions. */
async function checkModule(
  xShape: number[],
  ctxShape: number[] | null,
  body: (s: Scope, x: Tensor, c?: Tensor) => Tensor,
  seed: number,
) {
  const g = new Graph({ dtype: 'float64' });
  const params = new Params({ seed, dtype: 'float64' });
  const scope = new Scope(g, params);
  const x = g.input('x', xShape);
  const c = ctxShape ? g.input('c', ctxShape) : undefined;
  const y = body(scope, x, c);
  const rng = new Rng(seed);
  const w = g.constant(
    Array.from({ length: (y.shape as number[]).reduce((a, b) => a * b, 1) }, () => rng.normal()),
    'float64',
    y.shape as number[],
  );
  const loss = g.output(reduceSum(mul(y, w)), 'loss');
  const wrt: [string, Tensor, number[]][] = [
    ['x', x, xShape],
    ...(c ? [['c', c, ctxShape!] as [string, Tensor, number[]]] : []),
  ];
  for (const [name, t] of scope.boundParams()) wrt.push([name, t, t.shape as number[]]);
  const grads = grad(
    loss,
    wrt.map((e) => e[1]),
  );
  grads.forEach((t, i) => {
    g.output(t, `grad:${wrt[i]![0]}`);
  });
  const session = await openSession(toOnnx(g), { threads: 1 });
  const base: Record<string, Float64Array> = {};
  for (const [name, , shape] of wrt) {
    const n = shape.reduce((a, b) => a * b, 1);
    base[name] = params.has(name)
      ? Float64Array.from(params.value(name))
      : Float64Array.from({ length: n }, () => rng.normal());
    // perturb LayerNorm gammas away from 1 so their gradient paths are generic
    if (name.endsWith('gamma')) base[name] = base[name]!.map(() => 1 + 0.3 * rng.normal());
  }
  const feeds = (over: Record<string, Float64Array>) =>
    Object.fromEntries(
      wrt.map(([name, , shape]) => [
        name,
        new ort.Tensor('float64', over[name] ?? base[name]!, shape),
      ]),
    );
  const out = await session.run(feeds({}));
  let worst = 0;
  for (const [name] of wrt) {
    const gv = out[`grad:${name}`]!.data as Float64Array;
    const v = base[name]!.map(() => rng.normal());
    const analytic = gv.reduce((s, gi, i) => s + gi * v[i]!, 0);
    const h = 1e-6;
    const at = async (sign: number) =>
      Number(
        (
          await session.run(feeds({ [name]: base[name]!.map((b, i) => b + sign * h * v[i]!) }), [
            'loss',
          ])
        ).loss!.data[0],
      );
    const numeric = ((await at(1)) - (await at(-1))) / (2 * h);
    if (process.env.DEBUG_GC) console.log(name, analytic, numeric);
    worst = Math.max(worst, Math.abs(analytic - numeric) / Math.max(1, Math.abs(numeric)));
  }
  await session.release();
  return { worst, checked: wrt.length };
}

const small = fc.integer({ min: 1, max: 3 });
const seed = fc.integer({ min: 0, max: 1e6 });

test('LayerNorm module', async () => {
  await fc.assert(
    fc.asyncProperty(small, small, fc.integer({ min: 2, max: 6 }), seed, async (b, t, d, s) => {
      const r = await checkModule([b, t, d], null, (sc, x) => nn.layerNorm(sc.child('ln'), x), s);
      expect(r.checked).toBe(3);
      expect(r.worst).toBeLessThan(1e-6);
    }),
    { numRuns: 4, seed: 1 },
  );
});

test('MLP (silu and tanh)', async () => {
  await fc.assert(
    fc.asyncProperty(
      small,
      fc.integer({ min: 1, max: 5 }),
      fc.integer({ min: 1, max: 6 }),
      fc.constantFrom('silu' as const, 'tanh' as const),
      seed,
      async (b, d, h, act, s) => {
        const r = await checkModule(
          [b, 2, d],
          null,
          (sc, x) => nn.mlp(sc.child('mlp'), x, { hidden: h, activation: act }),
          s,
        );
        expect(r.checked).toBe(5);
        expect(r.worst).toBeLessThan(1e-6);
      },
    ),
    { numRuns: 4, seed: 2 },
  );
});

test('multi-head self-attention', async () => {
  await fc.assert(
    fc.asyncProperty(
      small,
      fc.integer({ min: 1, max: 4 }),
      fc.constantFrom(1, 2),
      seed,
      async (b, t, heads, s) => {
        const r = await checkModule(
          [b, t, 4],
          null,
          (sc, x) => nn.attention(sc.child('attn'), x, undefined, { heads }),
          s,
        );
        expect(r.checked).toBe(9);
        expect(r.worst).toBeLessThan(1e-6);
      },
    ),
    { numRuns: 4, seed: 3 },
  );
});

test('multi-head cross-attention (gradients reach queries and context)', async () => {
  await fc.assert(
    fc.asyncProperty(
      small,
      fc.integer({ min: 1, max: 3 }),
      fc.integer({ min: 1, max: 4 }),
      seed,
      async (b, t, sLen, s) => {
        const r = await checkModule(
          [b, t, 4],
          [b, sLen, 3],
          (sc, x, c) => nn.attention(sc.child('xattn'), x, c, { heads: 2, out: 5 }),
          s,
        );
        expect(r.checked).toBe(10);
        expect(r.worst).toBeLessThan(1e-6);
      },
    ),
    { numRuns: 4, seed: 4 },
  );
});

test('pre-LN transformer block (silu MLP)', async () => {
  const r = await checkModule(
    [2, 3, 4],
    null,
    (sc, x) =>
      nn.transformerBlock(sc.child('block'), x, { heads: 2, mlpRatio: 2, activation: 'silu' }),
    11,
  );
  expect(r.checked).toBe(17);
  expect(r.worst).toBeLessThan(1e-6);
});

test('pre-LN transformer block (exact GELU MLP, float64 erf)', async () => {
  const r = await checkModule(
    [2, 3, 4],
    null,
    (sc, x) =>
      nn.transformerBlock(sc.child('block'), x, { heads: 2, mlpRatio: 2, activation: 'gelu' }),
    12,
  );
  expect(r.checked).toBe(17);
  expect(r.worst).toBeLessThan(1e-6);
});
