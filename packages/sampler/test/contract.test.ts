/**
 * The contract every sampler keeps (diffusers' SchedulerCommonTest, for solvers): `steps` network
 * evaluations per guidance branch, one step record per evaluation, latents threaded through every
 * evaluation, exact recovery of a point mass for every parameterisation, seeded reproducibility.
 */
import {
  type Denoiser,
  type DenoiserInput,
  heunPlan,
  SAMPLER_NAMES,
  type SamplerName,
  sample,
} from '../src/index.js';

const shape = { batch: 3, height: 4, width: 4, channels: 2 };
const size = shape.height * shape.width * shape.channels;
const target = Float64Array.from(
  { length: shape.batch * size },
  (_, i) => Math.cos(0.71 * i) * 0.8,
);

/** The exact denoiser of a point mass at b·x*: any correct sampler returns x*. */
function pointMassDenoiser(b: number, predict: 'eps' | 'x' | 'v'): Denoiser {
  return async ({ x, gamma, latentsPrev }) => {
    const prediction = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const g = gamma[Math.floor(i / size)]!;
      const x0 = b * target[i]!;
      const eps = (x[i]! - Math.sqrt(g) * x0) / Math.sqrt(1 - g);
      prediction[i] =
        predict === 'eps' ? eps : predict === 'x' ? x0 : Math.sqrt(g) * eps - Math.sqrt(1 - g) * x0;
    }
    return { prediction, latents: latentsPrev };
  };
}

const names = SAMPLER_NAMES.map((name) => [name] as [SamplerName]);

describe.each(names)('%s keeps the sampler contract', (sampler) => {
  it.each([
    ['eps', 1, 'cosine'],
    ['x', 0.4, 'simple_linear'],
    ['v', 0.7, 'sigmoid@0,3,0.5'],
  ] as const)('recovers a point mass with the exact %s denoiser (b = %f, %s)', async (predict, b, schedule) => {
    const result = await sample({
      denoiser: pointMassDenoiser(b, predict),
      shape,
      steps: 7,
      sampler,
      predict,
      inputScale: b,
      normalize: false,
      schedule,
    });
    for (let i = 0; i < target.length; i++) {
      expect(Math.abs(result.x0[i]! - b * target[i]!)).toBeLessThan(1e-4 * b + 1e-5);
    }
  });

  it.each([
    1, 2, 3, 4, 7, 10,
  ])('spends exactly steps = %i evaluations per guidance branch, with one record each', async (steps) => {
    const calls: DenoiserInput[] = [];
    const denoiser: Denoiser = async (input) => {
      calls.push({ ...input, latentsPrev: Float32Array.from(input.latentsPrev) });
      return {
        prediction: Float32Array.from(input.x, (v) => 0.5 * v),
        // The conditional pass's latents count the evaluations; the unconditional ones are junk.
        latents: Float32Array.from(input.latentsPrev, (v) =>
          input.labelMask[0] === 1 ? v + 1 : -99,
        ),
      };
    };
    const records: { step: number; steps: number; tNow: number }[] = [];
    await sample({
      denoiser,
      shape,
      steps,
      sampler,
      guidance: 1.5,
      numClasses: 4,
      latentSize: 2,
      seed: 5,
      onStep: ({ step, steps: total, tNow }) => records.push({ step, steps: total, tNow }),
    });
    expect(calls).toHaveLength(2 * steps);
    expect(calls.map((c) => c.labelMask[0])).toEqual(
      Array.from({ length: 2 * steps }, (_, i) => (i % 2 === 0 ? 1 : 0)),
    );
    // Both passes of evaluation k see the conditional latents of evaluation k − 1.
    expect(calls.map((c) => c.latentsPrev[0])).toEqual(
      Array.from({ length: 2 * steps }, (_, i) => Math.floor(i / 2)),
    );
    expect(records.map((r) => r.step)).toEqual(Array.from({ length: steps }, (_, i) => i + 1));
    expect(records.every((r) => r.steps === steps)).toBe(true);
    expect(records[0]!.tNow).toBe(1);
    for (let i = 1; i < records.length; i++) {
      expect(records[i]!.tNow).toBeLessThanOrEqual(records[i - 1]!.tNow);
      expect(records[i]!.tNow).toBeGreaterThan(0);
    }
  });

  it('is reproducible for a seed and differs across seeds', async () => {
    const denoiser: Denoiser = async ({ x, latentsPrev }) => ({
      prediction: Float32Array.from(x, (v) => Math.tanh(v)),
      latents: latentsPrev,
    });
    const run = (seed: number) => sample({ denoiser, shape, steps: 5, sampler, seed });
    const [a, b, c] = [await run(3), await run(3), await run(4)];
    expect(Array.from(a.x0)).toEqual(Array.from(b.x0));
    expect(Array.from(a.x0)).not.toEqual(Array.from(c.x0));
  });
});

describe('solver-specific rules', () => {
  it('heun steps out of t = 1 with Euler, then pairs evaluations into Heun intervals', () => {
    expect([1, 2, 3, 4, 5, 10].map((n) => heunPlan(n).join(' '))).toEqual([
      'final',
      'euler final',
      'euler euler final',
      'euler heun final',
      'euler euler heun final',
      'euler heun heun heun heun final',
    ]);
  });

  it.each([
    'dpmpp_2m',
    'dpmpp_2m_sde',
    'euler',
    'heun',
  ] as const)('%s rejects the ddpm/ddim time offset td', async (sampler) => {
    const denoiser: Denoiser = async ({ x, latentsPrev }) => ({
      prediction: new Float32Array(x.length),
      latents: latentsPrev,
    });
    await expect(sample({ denoiser, shape, steps: 3, sampler, td: 0.5 })).rejects.toThrow(
      `\`td\` applies to the ddpm and ddim samplers only, got 0.5 with ${sampler}`,
    );
  });
});
