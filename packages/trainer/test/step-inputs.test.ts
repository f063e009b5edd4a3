/** The random draws of a training step: dropout keep-masks at their rate, fixed by (seed, step). */
import { parseSchedule } from '@ns/schedules';
import { drawStepInputs, type StepInputSpec } from '../src/index.js';

const spec: StepInputSpec = {
  imageSize: 4,
  channels: 1,
  numClasses: 0,
  selfCondition: true,
  randomInputs: {
    'layer0/mlp/units': { shape: [8, 64], rate: 0.1 },
    'layer0/attn': { shape: [1, 1], rate: 0.3 },
  },
};
const draw = (step: number, seed = 3) =>
  drawStepInputs(spec, {
    seed,
    step,
    batch: 256,
    schedule: parseSchedule('cosine'),
    selfCondRate: 0.9,
    labelDropout: 0,
  }).feeds;

describe('dropout keep-masks', () => {
  test('each mask keeps 1 − rate of its values (within 5 binomial standard errors)', () => {
    const feeds = draw(1);
    for (const pass of ['selfCond', 'main']) {
      for (const [name, rate] of [
        ['layer0/mlp/units', 0.1],
        ['layer0/attn', 0.3],
      ] as const) {
        const mask = Object.entries(feeds).find(([k]) => k.includes(name) && k.includes(pass));
        expect(mask).toBeDefined();
        const data = mask![1].data as Uint8Array;
        expect(data).toBeInstanceOf(Uint8Array);
        const kept = data.reduce((s, v) => s + v, 0) / data.length;
        expect(Math.abs(kept - (1 - rate))).toBeLessThan(
          5 * Math.sqrt((rate * (1 - rate)) / data.length),
        );
      }
    }
  });

  test('the same (seed, step) draws the same masks; another step, seed or pass draws others', () => {
    const a = draw(5);
    const b = draw(5);
    const names = Object.keys(a).filter((k) => k.includes('units'));
    expect(names).toHaveLength(2);
    for (const k of names)
      expect(Buffer.from(a[k]!.data.buffer).equals(Buffer.from(b[k]!.data.buffer))).toBe(true);
    const other = [draw(6), draw(5, 4)];
    for (const o of other) {
      for (const k of names)
        expect(Buffer.from(a[k]!.data.buffer).equals(Buffer.from(o[k]!.data.buffer))).toBe(false);
    }
    expect(
      Buffer.from(a[names[0]!]!.data.buffer).equals(Buffer.from(a[names[1]!]!.data.buffer)),
    ).toBe(false);
  });
});
