/**
 * Forward and backward against PyTorch (fixture from tools/golden/rin/rin_reference.py): outputs,
 * latents and the gradient of every parameter, with and without self-conditioning latents, with
 * a dropped label, and in training mode with given dropout/drop-path masks.
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

const golden: Golden = loadGolden();
const model = rin(golden.config);

function feedsFor(caseName: string, dtype: FloatDType, withMasks: boolean) {
  const T = golden.tensors;
  const F = dtype === 'float32' ? Float32Array : Float64Array;
  const float = (name: string) => {
    const t = T[name]!;
    return new ort.Tensor(dtype, F.from(t.data as Float32Array), [...t.shape]);
  };
  const prev =
    caseName === 'zero_prev'
      ? new F(T['input/latentsPrev']!.data.length)
      : F.from(T['input/latentsPrev']!.data as Float32Array);
  const feeds: Record<string, ort.Tensor> = {
    x: float('input/x'),
    gamma: float('input/gamma'),
    labels: new ort.Tensor('int64', T['input/labels']!.data as BigInt64Array, [golden.batch]),
    labelMask: float(`${caseName}/labelMask`),
    latentsPrev: new ort.Tensor(dtype, prev, [...T['input/latentsPrev']!.shape]),
    wPred: float('loss/wPred'),
    wLatents: float('loss/wLatents'),
  };
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
async function session(dtype: FloatDType, train: boolean) {
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

test('the fixture has exactly the parameters (names and shapes) the model declares', () => {
  const params = model.createParams();
  expect(
    params
      .list()
      .map((s) => s.name)
      .sort(),
  ).toEqual([...golden.params].sort());
  for (const s of params.list()) expect(golden.tensors[`param/${s.name}`]!.shape).toEqual(s.shape);
});

describe.each(['float64', 'float32'] as const)('%s graph vs PyTorch float64', (dtype) => {
  // float64 is the exactness check (≤ 1e-5 by the issue; measured ≤ 5e-7, ORT evaluates
  // GELU/Erf in float32); the float32 graph carries float32 rounding throughout (measured ≤ 1e-5).
  const tol = dtype === 'float64' ? 1e-5 : 5e-5;
  const evalCases = golden.cases.filter((c) => c !== golden.trainCase);

  test.each(evalCases)('%s: prediction, latents and all parameter gradients', async (name) => {
    const { session: s, names } = await session(dtype, false);
    const out = await s.run(feedsFor(name, dtype, false));
    const T = golden.tensors;
    const errors: Record<string, number> = {
      prediction: relL2(
        out.prediction!.data as Float64Array,
        T[`${name}/prediction`]!.data as Float32Array,
      ),
      latents: relL2(out.latents!.data as Float64Array, T[`${name}/latents`]!.data as Float32Array),
    };
    for (const p of names)
      errors[p] = relL2(
        out[`grad/${p}`]!.data as Float64Array,
        T[`${name}/grad/${p}`]!.data as Float32Array,
      );
    const worst = Object.entries(errors).sort((a, b) => b[1] - a[1])[0]!;
    expect(worst[1]).toBeLessThanOrEqual(tol);
    expect(names).toHaveLength(golden.params.length);
    await s.release();
  });

  test('training mode with given dropout and drop-path masks (process layers only)', async () => {
    const { session: s, names, declared } = await session(dtype, true);
    expect(declared.map((m) => m.name).sort()).toEqual([...golden.masks].sort());
    const name = golden.trainCase;
    const out = await s.run(feedsFor(name, dtype, true));
    const T = golden.tensors;
    let worst = relL2(
      out.prediction!.data as Float64Array,
      T[`${name}/prediction`]!.data as Float32Array,
    );
    worst = Math.max(
      worst,
      relL2(out.latents!.data as Float64Array, T[`${name}/latents`]!.data as Float32Array),
    );
    for (const p of names)
      worst = Math.max(
        worst,
        relL2(out[`grad/${p}`]!.data as Float64Array, T[`${name}/grad/${p}`]!.data as Float32Array),
      );
    expect(worst).toBeLessThanOrEqual(tol);
    await s.release();
  });
});
