/**
 * The noising and loss graph against tools/golden/trainer/algorithm2.py (Algorithm 2 in numpy),
 * for fixed ε and t, around probe networks whose outputs numpy reproduces.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  add,
  Graph,
  mul,
  openSession,
  ort,
  Params,
  reduceMean,
  reshape,
  Scope,
  type Tensor,
  toOnnx,
} from '@ns/graph';
import type { DiffusionNet } from '../src/index.js';
import { trainingObjective } from '../src/index.js';

const fixture = JSON.parse(
  readFileSync(join(__dirname, 'fixtures', 'algorithm2.json'), 'utf8'),
) as {
  shape: [number, number, number, number];
  images_u8: number[];
  gamma: number[];
  noise: number[];
  selfCondMask: number[];
  cases: { b: number; predict: 'eps' | 'x' | 'v'; identity: number; selfcond: number }[];
};
const [B, H, W, C] = fixture.shape;

function probe(predict: 'eps' | 'x' | 'v', selfCondition: boolean): DiffusionNet {
  return {
    imageSize: H,
    channels: C,
    latentShape: [1],
    numClasses: 0,
    predict,
    selfCondition,
    randomInputs: () => ({}),
    forward(_scope, inputs) {
      const latents = reshape(reduceMean(inputs.x, [1, 2, 3]), ['batch', 1]);
      const prediction: Tensor = selfCondition
        ? add(inputs.x, reshape(inputs.latentsPrev, ['batch', 1, 1, 1]))
        : mul(inputs.x, 1);
      return { prediction, latents };
    },
  };
}

async function lossOf(net: DiffusionNet, b: number): Promise<number> {
  const definition = trainingObjective(net, { inputScale: b });
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
      fixture.images_u8.map((v) => v / 255),
      [B, H, W, C],
    ),
    gamma: f32(fixture.gamma, [B]),
    noise: f32(fixture.noise, [B, H, W, C]),
    labels: new ort.Tensor('int64', new BigInt64Array(B), [B]),
    labelMask: f32([0, 0, 0, 0], [B]),
    latentsZero: f32([0, 0, 0, 0], [B, 1]),
  };
  if (net.selfCondition) {
    feeds['labelMaskSelfCond'] = f32([0, 0, 0, 0], [B]);
    feeds['selfCondMask'] = f32(fixture.selfCondMask, [B]);
  }
  const wanted = Object.fromEntries(session.inputNames.map((n) => [n, feeds[n]!]));
  const out = await session.run(wanted);
  return Number(out['loss']!.data[0]);
}

describe('Algorithm 2 objective', () => {
  it.each(
    fixture.cases.map((c) => [`b=${c.b} ${c.predict}`, c] as const),
  )('%s matches numpy', async (_name, c) => {
    const identity = await lossOf(probe(c.predict, false), c.b);
    expect(Math.abs(identity - c.identity) / c.identity).toBeLessThan(1e-5);
    const selfcond = await lossOf(probe(c.predict, true), c.b);
    expect(Math.abs(selfcond - c.selfcond) / c.selfcond).toBeLessThan(1e-5);
    expect(selfcond).not.toBeCloseTo(identity, 3); // the self-conditioning path really changes the loss
  });

  it('rejects a bad input scale', () => {
    expect(() => trainingObjective(probe('eps', false), { inputScale: 0 })).toThrow(
      '`inputScale` must be a finite number > 0, got 0',
    );
  });
});
