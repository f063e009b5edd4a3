/**
 * Forward and backward against PyTorch (fixtures from tools/golden/rin/rin_reference.py): outputs,
 * latents and the gradient of every parameter. `golden`: with zero and random self-conditioning
 * latents, a dropped label, and training mode with given dropout/drop-path masks. `golden-uncond`:
 * no class token, no self-conditioning, d > D, no write MLP.
 */
import {
  add,
  type FloatDType,
  Graph,
  grad,
  mul,
  openSession,
  ort,
  Params,
  reduceSum,
  Scope,
  toOnnx,
} from '@ns/graph';
import { declareInputs, maskInputs, type RinInputs, rin } from '../src/index';
import { type Golden, loadGolden, relL2 } from './golden';

function feedsFor(golden: Golden, caseName: string, dtype: FloatDType, withMasks: boolean) {
  const T = golden.tensors;
  const F = dtype === 'float32' ? Float32Array : Float64Array;
  const float = (name: string) => {
    const t = T[name]!;
    return new ort.Tensor(dtype, F.from(t.data as Float32Array), [...t.shape]);
  };
  const all: Record<string, ort.Tensor> = {
    x: float('input/x'),
    gamma: float('input/gamma'),
    labels: new ort.Tensor('int64', T['input/labels']!.data as BigInt64Array, [golden.batch]),
    labelMask: float(`${caseName}/labelMask`),
    latentsPrev:
      caseName === 'zero_prev'
        ? new ort.Tensor(dtype, new F(T['input/latentsPrev']!.data.length), [
            ...T['input/latentsPrev']!.shape,
          ])
        : float('input/latentsPrev'),
  };
  // only the inputs this config's graph has
  const feeds: Record<string, ort.Tensor> = Object.fromEntries(
    Object.keys(rin(golden.config).inputs).map((k) => [k, all[k]!]),
  );
  feeds.wPred = float('loss/wPred');
  feeds.wLatents = float('loss/wLatents');
  for (const p of golden.params) feeds[p] = float(`param/${p}`);
  if (withMasks) {
    for (const m of golden.masks) {
      const t = T[m]!;
      feeds[m] = new ort.Tensor('bool', Uint8Array.from(t.data as Float32Array), [...t.shape]);
    }
  }
  return feeds;
}

/** forward + loss + gradients of every parameter, parameters as graph inputs. */
async function session(golden: Golden, dtype: FloatDType, train: boolean) {
  const model = rin(golden.config);
  const g = new Graph({ dtype });
  const params = new Params({ seed: 0, dtype });
  const io = declareInputs(g, model.inputs) as unknown as RinInputs;
  const masks = maskInputs();
  const scope = new Scope(g, params, 'inputs');
  const out = model.forward(scope, io, train ? { train: true, masks } : {});
  const wPred = g.input('wPred', out.prediction.shape);
  const wLatents = g.input('wLatents', out.latents.shape);
  const loss = add(reduceSum(mul(out.prediction, wPred)), reduceSum(mul(out.latents, wLatents)));
  g.output(out.prediction, 'prediction');
  g.output(out.latents, 'latents');
  const lossOut = g.output(loss, 'loss');
  const bound = scope.boundParams();
  grad(
    lossOut,
    bound.map(([, t]) => t),
  ).forEach((t, i) => {
    g.output(t, `grad/${bound[i]![0]}`);
  });
  return {
    declared: masks.declared,
    names: bound.map(([n]) => n),
    session: await openSession(toOnnx(g), { threads: 2 }),
  };
}

/** Largest error over prediction, latents and every parameter gradient, with its name. */
function worstError(
  golden: Golden,
  name: string,
  out: Record<string, ort.Tensor>,
  names: string[],
) {
  const T = golden.tensors;
  const errors: [string, number][] = [
    [
      'prediction',
      relL2(out.prediction!.data as Float64Array, T[`${name}/prediction`]!.data as Float32Array),
    ],
    [
      'latents',
      relL2(out.latents!.data as Float64Array, T[`${name}/latents`]!.data as Float32Array),
    ],
  ];
  for (const p of names)
    errors.push([
      p,
      relL2(out[`grad/${p}`]!.data as Float64Array, T[`${name}/grad/${p}`]!.data as Float32Array),
    ]);
  return errors.sort((a, b) => b[1] - a[1])[0]!;
}

describe.each(['golden', 'golden-uncond'])('%s', (stem) => {
  const golden = loadGolden(stem);

  test('the fixture has exactly the parameters (names and shapes) the model declares', () => {
    const params = rin(golden.config).createParams();
    expect(
      params
        .list()
        .map((s) => s.name)
        .sort(),
    ).toEqual([...golden.params].sort());
    for (const s of params.list())
      expect(golden.tensors[`param/${s.name}`]!.shape).toEqual(s.shape);
  });

  describe.each(['float64', 'float32'] as const)('%s graph vs PyTorch float64', (dtype) => {
    // float64 is the exactness check (≤ 1e-5 by the issue; measured ≤ 5e-7, ORT evaluates
    // GELU/Erf in float32); the float32 graph carries float32 rounding throughout (measured ≤ 1e-5).
    const tol = dtype === 'float64' ? 1e-5 : 5e-5;
    const evalCases = golden.cases.filter((c) => c !== golden.trainCase);

    test.each(evalCases)('%s: prediction, latents and all parameter gradients', async (name) => {
      const { session: s, names } = await session(golden, dtype, false);
      expect(names).toHaveLength(golden.params.length);
      const out = await s.run(feedsFor(golden, name, dtype, false));
      const [, err] = worstError(golden, name, out, names);
      expect(err).toBeLessThanOrEqual(tol);
      await s.release();
    });

    if (golden.cases.includes(golden.trainCase)) {
      test('training mode with given dropout and drop-path masks (process layers only)', async () => {
        const { session: s, names, declared } = await session(golden, dtype, true);
        expect(declared.map((m) => m.name).sort()).toEqual([...golden.masks].sort());
        const out = await s.run(feedsFor(golden, golden.trainCase, dtype, true));
        const [, err] = worstError(golden, golden.trainCase, out, names);
        expect(err).toBeLessThanOrEqual(tol);
        await s.release();
      });
    }
  });
});
