/**
 * Loss weightings against tools/golden/trainer/weighting.py (the papers' formulas in numpy):
 * the weights computed in the graph from γ for ε / x / v targets, and the weighted objective of a
 * probe network whose loss numpy reproduces.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Graph, openSession, ort, Params, Scope, toOnnx } from '@ns/graph';
import {
  type DiffusionNet,
  formatWeighting,
  lossWeights,
  parseWeighting,
  trainingObjective,
} from '../src/index.js';

type Target = 'eps' | 'x' | 'v';
const golden = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'weighting.json'), 'utf8')) as {
  gamma: number[];
  weights: { weighting: string; target: Target; weights: number[] }[];
  probe: {
    shape: [number, number, number, number];
    images_u8: number[];
    gamma: number[];
    noise: number[];
    cases: { b: number; target: Target; weighting: string; loss: number }[];
  };
};

const relative = (got: number, want: number) =>
  want === 0 ? Math.abs(got) : Math.abs(got - want) / Math.abs(want);

describe('loss weightings (graph) against numpy', () => {
  test.each(
    golden.weights.map((w) => [`${w.weighting} on ${w.target}`, w] as const),
  )('%s', async (_name, w) => {
    const g = new Graph({ dtype: 'float32' });
    const gamma = g.input('gamma', [golden.gamma.length]);
    g.output(lossWeights(parseWeighting(w.weighting), gamma, w.target)!, 'w');
    const session = await openSession(toOnnx(g), { threads: 1 });
    const out = await session.run({
      gamma: new ort.Tensor('float32', Float32Array.from(golden.gamma), [golden.gamma.length]),
    });
    const got = out['w']!.data as Float32Array;
    golden.gamma.forEach((gm, i) => {
      const want = w.weights[i]!;
      // γ itself is rounded to float32 (1 − 1e-7 loses 1e-8 relative; 1 − γ then loses ~10 %),
      // so compare where float32 can carry the input: away from γ → 1 for SNR-like weights.
      if (1 - Math.fround(gm) < 1e-6 && !Number.isFinite(want * 0)) return;
      const tolerance = 1 - gm < 1e-6 ? 0.2 : 2e-6;
      expect(relative(got[i]!, want)).toBeLessThan(tolerance);
    });
    await session.release();
  });

  test('parses, formats and names its errors', () => {
    for (const spec of ['eps', 'min_snr@5', 'sigmoid@-1', 'edm', 'edm@0.25'])
      expect(formatWeighting(parseWeighting(spec))).toBe(spec);
    expect(() => parseWeighting('min_snr')).toThrow(/min_snr needs γ > 0, e\.g\. min_snr@5/);
    expect(() => parseWeighting('p2@1')).toThrow(/unknown weighting 'p2' \(forms: eps, min_snr@g/);
    expect(() => parseWeighting('sigmoid@x')).toThrow(/expected one number after @/);
    expect(lossWeights(parseWeighting('eps'), new Graph().input('g', [2]), 'x')).toBeUndefined();
  });
});

function identityProbe(predict: Target): DiffusionNet {
  const [, H, , C] = golden.probe.shape;
  return {
    imageSize: H,
    channels: C,
    latentShape: [1],
    numClasses: 0,
    predict,
    selfCondition: false,
    randomInputs: () => ({}),
    forward(_scope, inputs) {
      return { prediction: inputs.x, latents: inputs.latentsPrev };
    },
  };
}

describe('the weighted Algorithm 2 objective', () => {
  test.each(
    golden.probe.cases.map((c) => [`${c.weighting}, ${c.target} target, b = ${c.b}`, c] as const),
  )('%s matches numpy', async (_name, c) => {
    const [B, H, W, C] = golden.probe.shape;
    const definition = trainingObjective(identityProbe(c.target), {
      inputScale: c.b,
      weighting: parseWeighting(c.weighting),
    });
    const g = new Graph({ dtype: 'float32' });
    const inputs = Object.fromEntries(
      Object.entries(definition.trainInputs!).map(([name, spec]) => [
        name,
        g.input(name, spec.shape, spec.dtype ?? 'float32'),
      ]),
    );
    const { loss } = definition.build(new Scope(g, new Params({ seed: 0 })), inputs, 'train');
    g.output(loss!, 'loss');
    const session = await openSession(toOnnx(g), { threads: 1 });
    const f32 = (values: number[], shape: number[]) =>
      new ort.Tensor('float32', Float32Array.from(values), shape);
    const feeds: Record<string, InstanceType<typeof ort.Tensor>> = {
      images: f32(
        golden.probe.images_u8.map((v) => v / 255),
        [B, H, W, C],
      ),
      gamma: f32(golden.probe.gamma, [B]),
      noise: f32(golden.probe.noise, [B, H, W, C]),
      labels: new ort.Tensor('int64', new BigInt64Array(B), [B]),
      labelMask: f32([0, 0, 0, 0], [B]),
      latentsZero: f32([0, 0, 0, 0], [B, 1]),
    };
    const out = await session.run(
      Object.fromEntries(session.inputNames.map((n) => [n, feeds[n]!])),
    );
    expect(relative(Number(out['loss']!.data[0]), c.loss)).toBeLessThan(1e-5);
    await session.release();
  });
});
