import { add, Graph, mul, openSession, Rng, reshape, toOnnx } from '@ns/graph';
import {
  ddpmStep,
  normalizeVariance,
  parseSchedule,
  predictionToX0Eps,
  timeGrid,
} from '@ns/schedules';
import {
  type Denoiser,
  type DenoiserInput,
  onnxDenoiser,
  parseSampler,
  sample,
  toUint8,
} from '../src/index.js';

const shape = { batch: 3, height: 4, width: 4, channels: 2 };
const size = shape.height * shape.width * shape.channels;

describe('sample (Algorithm 3)', () => {
  it('runs exactly the @ns/schedules step maths (normalised network copy, clipped x̂0, truncated ε̂)', async () => {
    const b = 0.6;
    const steps = 4;
    const toy: Denoiser = async ({ x, gamma, latentsPrev }) => ({
      prediction: Float32Array.from(
        x,
        (v, i) => 0.8 * v + Math.sin(gamma[Math.floor(i / size)]! * 3 + i),
      ),
      latents: latentsPrev,
    });
    const result = await sample({
      denoiser: toy,
      shape,
      steps,
      sampler: 'ddpm',
      inputScale: b,
      seed: 7,
      schedule: 'sigmoid@0,3,0.5',
    });

    // The same loop written out by hand from @ns/schedules.
    const schedule = parseSchedule('sigmoid@0,3,0.5');
    const noise = new Rng(7).fold('noise');
    let x = new Float64Array(shape.batch * size);
    noise.normals(x.length, x);
    const grid = timeGrid(steps);
    let x0 = new Float64Array(0);
    for (let i = 0; i < steps; i++) {
      const gNow = schedule.gamma(grid.tNow[i]!);
      const gNext = schedule.gamma(grid.tNext[i]!);
      const input = Float32Array.from(normalizeVariance(x, shape.batch));
      const { prediction } = await toy({
        x: input,
        gamma: new Float32Array(shape.batch).fill(gNow),
        latentsPrev: new Float32Array(0),
        labels: new Int32Array(shape.batch),
        labelMask: new Float32Array(shape.batch),
      });
      const e = predictionToX0Eps({
        xt: x,
        prediction,
        gamma: gNow,
        predict: 'eps',
        clip: b,
        truncateNoise: true,
      });
      x0 = e.x0;
      x = ddpmStep({
        xt: x,
        eps: e.eps,
        gammaNow: gNow,
        gammaNext: gNext,
        noise: noise.zigguratNormals(x.length, new Float64Array(x.length)),
      });
    }
    expect(Array.from(result.x0)).toEqual(Array.from(x0));
    expect(Math.max(...result.x0.map(Math.abs))).toBeLessThanOrEqual(b);
  });

  it('carries latents from the conditional pass and guides with a label-dropped pass', async () => {
    const calls: { mask: number; latent: number; gamma: number }[] = [];
    const denoiser: Denoiser = async (input: DenoiserInput) => {
      calls.push({
        mask: input.labelMask[0]!,
        latent: input.latentsPrev[0]!,
        gamma: input.gamma[0]!,
      });
      const bump = input.labelMask[0] === 1 ? 1 : 100; // the unconditional latents must be discarded
      return {
        prediction: new Float32Array(input.x.length).fill(input.labelMask[0] === 1 ? 1 : -1),
        latents: Float32Array.from(input.latentsPrev, (v) => v + bump),
      };
    };
    const steps = 3;
    await sample({
      denoiser,
      shape,
      steps,
      sampler: 'ddim',
      guidance: 2,
      numClasses: 10,
      latentSize: 5,
      seed: 1,
    });
    expect(calls).toHaveLength(2 * steps);
    expect(calls.map((c) => c.mask)).toEqual([1, 0, 1, 0, 1, 0]);
    expect(calls.map((c) => c.latent)).toEqual([0, 0, 1, 1, 2, 2]);
    const gammas = timeGrid(steps).tNow.map((t) => parseSchedule('cosine').gamma(t));
    calls.forEach((c, i) => {
      expect(c.gamma).toBe(Math.fround(gammas[Math.floor(i / 2)]!));
    });
  });

  it('draws seeded labels in range and rejects bad ones', async () => {
    const seen: Int32Array[] = [];
    const denoiser: Denoiser = async (input) => {
      seen.push(input.labels);
      return { prediction: new Float32Array(input.x.length), latents: input.latentsPrev };
    };
    const a = await sample({ denoiser, shape, steps: 1, numClasses: 7, seed: 3 });
    const b = await sample({ denoiser, shape, steps: 1, numClasses: 7, seed: 3 });
    expect(Array.from(a.labels)).toEqual(Array.from(b.labels));
    for (const l of a.labels) expect(l >= 0 && l < 7).toBe(true);
    await expect(
      sample({ denoiser, shape, steps: 1, numClasses: 7, labels: Int32Array.of(0, 7, 1) }),
    ).rejects.toThrow('`labels[1]` must be a class in [0, 6], got 7');
    await expect(sample({ denoiser, shape, steps: 0 })).rejects.toThrow(
      '`steps` must be an integer >= 1, got 0',
    );
    expect(() => parseSampler('dpm++')).toThrow(
      '`sampler` must be one of ddim, ddpm, ddpm@large, ddpm@small, dpmpp_2m, dpmpp_2m_sde, euler, heun, got "dpm++"',
    );
  });

  it('samples through a real ONNX model with onnxDenoiser', async () => {
    // prediction = 0.5·x + γ (broadcast over H, W, C); latents = latentsPrev + 1.
    const g = new Graph({ dtype: 'float32' });
    const x = g.input('x', ['batch', shape.height, shape.width, shape.channels]);
    const gamma = g.input('gamma', ['batch']);
    const latentsPrev = g.input('latentsPrev', ['batch', 2, 3]);
    g.output(add(mul(x, 0.5), reshape(gamma, ['batch', 1, 1, 1])), 'prediction');
    g.output(add(latentsPrev, 1), 'latents');
    const session = await openSession(toOnnx(g), { threads: 1 });
    const denoiser = onnxDenoiser(session, { shape, latentShape: [2, 3] });
    const viaOnnx = await sample({ denoiser, shape, steps: 5, latentSize: 6, seed: 2 });
    const viaJs = await sample({
      denoiser: async (input) => ({
        prediction: Float32Array.from(input.x, (v, i) =>
          Math.fround(Math.fround(v * 0.5) + input.gamma[Math.floor(i / size)]!),
        ),
        latents: Float32Array.from(input.latentsPrev, (v) => v + 1),
      }),
      shape,
      steps: 5,
      latentSize: 6,
      seed: 2,
    });
    for (let i = 0; i < viaJs.x0.length; i++) expect(viaOnnx.x0[i]).toBeCloseTo(viaJs.x0[i]!, 5);
    expect(toUint8(viaOnnx.images).length).toBe(shape.batch * size);
  });
});
