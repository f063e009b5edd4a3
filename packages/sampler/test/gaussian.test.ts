/**
 * @jest-environment node
 */
/**
 * Every sampler on data whose exact denoiser is known: x0 ~ N(μ_c, s_c²) per channel, for which
 * E[x0 | x_t] = μ + k·(x_t − α·μ), k = α·s²/(α²·s² + σ²). The real `sample()` runs with that
 * denoiser in JavaScript (float32 outputs, as a network's) and its output moments are compared with
 * tools/golden/sampler/gaussian.py, which runs each sampler's step maths in float64 numpy and
 * solves the probability-flow ODE exactly.
 *
 * Deterministic samplers map x_T affinely, y = A·x_T + B per channel, so regressing the output on
 * the initial noise (the first step record's x) gives the output distribution N(B, A²) exactly,
 * free of Monte-Carlo error. DDPM is stochastic: its sample moments (65 536 values per channel)
 * are compared with the golden chain's exact moments within 4 standard errors. The plain node
 * environment (not the package's ORT one) because nothing here runs ONNX Runtime.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Prediction } from '@ns/schedules';
import { type Denoiser, type SamplerName, sample } from '../src/index.js';

interface Moments {
  readonly mean: number[];
  readonly std: number[];
}
interface Golden {
  readonly mu: number[];
  readonly s: number[];
  readonly schedules: Record<
    string,
    { exactOde: Moments; samplers: Record<string, Record<string, Moments>> }
  >;
}
const golden = JSON.parse(
  readFileSync(join(__dirname, 'fixtures', 'gaussian.json'), 'utf8'),
) as Golden;
const { mu, s } = golden;
const CHANNELS = 2;

/** The exact denoiser of the Gaussian data: it sees the raw x_t (normalize: false). */
function gaussianDenoiser(predict: Prediction, size: number): Denoiser {
  return async ({ x, gamma, latentsPrev }) => {
    const prediction = new Float32Array(x.length);
    for (let i = 0; i < x.length; i++) {
      const g = gamma[Math.floor(i / size)]!;
      const c = i % CHANNELS;
      const a = Math.sqrt(g);
      const sigma = Math.sqrt(1 - g);
      const k = (a * s[c]! ** 2) / (a * a * s[c]! ** 2 + sigma * sigma);
      const x0 = mu[c]! + k * (x[i]! - a * mu[c]!);
      const eps = (x[i]! - a * x0) / sigma;
      prediction[i] = predict === 'eps' ? eps : predict === 'x' ? x0 : a * eps - sigma * x0;
    }
    return { prediction, latents: latentsPrev };
  };
}

async function run(
  sampler: SamplerName,
  predict: Prediction,
  schedule: string,
  steps: number,
  shape: { batch: number; height: number; width: number; channels: number },
) {
  let xT: Float64Array | undefined;
  const result = await sample({
    denoiser: gaussianDenoiser(predict, shape.height * shape.width * shape.channels),
    shape,
    steps,
    sampler,
    predict,
    schedule,
    clip: false,
    normalize: false,
    seed: 4,
    onStep: ({ step, x }) => {
      if (step === 1) xT = Float64Array.from(x);
    },
  });
  return { xT: xT!, y: result.x0 };
}

/** Per channel: the affine map y = A·x_T + B by least squares, as output moments (B, |A|). */
function affineMoments(xT: Float64Array, y: Float64Array): Moments {
  const mean: number[] = [];
  const std: number[] = [];
  for (let c = 0; c < CHANNELS; c++) {
    let n = 0;
    let mx = 0;
    let my = 0;
    for (let i = c; i < y.length; i += CHANNELS, n++) {
      mx += xT[i]!;
      my += y[i]!;
    }
    mx /= n;
    my /= n;
    let sxy = 0;
    let sxx = 0;
    for (let i = c; i < y.length; i += CHANNELS) {
      sxy += (xT[i]! - mx) * (y[i]! - my);
      sxx += (xT[i]! - mx) ** 2;
    }
    const a = sxy / sxx;
    mean.push(my - a * mx);
    std.push(Math.abs(a));
  }
  return { mean, std };
}

/** Per channel: the sample mean and standard deviation (divisor n − 1). */
function sampleMoments(y: Float64Array): Moments & { n: number } {
  const mean: number[] = [];
  const std: number[] = [];
  const n = y.length / CHANNELS;
  for (let c = 0; c < CHANNELS; c++) {
    let m = 0;
    for (let i = c; i < y.length; i += CHANNELS) m += y[i]!;
    m /= n;
    let v = 0;
    for (let i = c; i < y.length; i += CHANNELS) v += (y[i]! - m) ** 2;
    mean.push(m);
    std.push(Math.sqrt(v / (n - 1)));
  }
  return { mean, std, n };
}

const maxAbsDiff = (a: number[], b: number[]) => Math.max(...a.map((v, i) => Math.abs(v - b[i]!)));
const STEPS = [10, 20, 50] as const;

/**
 * The stated bounds on the error of the output standard deviation (max over channels) at 10, 20
 * and 50 evaluations, against the exact probability-flow ODE solution for the ODE samplers and
 * against the data for DDPM. The golden errors sit just below them (gaussian.py prints them).
 */
const deterministic: readonly {
  sampler: SamplerName;
  predict: Prediction;
  schedule: string;
  bound: readonly [number, number, number];
}[] = [
  { sampler: 'ddim', predict: 'eps', schedule: 'cosine', bound: [0.15, 0.075, 0.031] },
  { sampler: 'euler', predict: 'eps', schedule: 'cosine', bound: [0.15, 0.075, 0.031] },
  { sampler: 'heun', predict: 'eps', schedule: 'cosine', bound: [0.04, 0.012, 0.0045] },
  { sampler: 'heun', predict: 'v', schedule: 'cosine', bound: [0.04, 0.012, 0.0045] },
  { sampler: 'dpmpp_2m', predict: 'eps', schedule: 'cosine', bound: [0.033, 0.0075, 0.0021] },
  { sampler: 'dpmpp_2m', predict: 'x', schedule: 'cosine', bound: [0.033, 0.0075, 0.0021] },
  { sampler: 'dpmpp_2m', predict: 'v', schedule: 'cosine', bound: [0.033, 0.0075, 0.0021] },
  { sampler: 'ddim', predict: 'eps', schedule: 'simple_linear', bound: [0.19, 0.11, 0.05] },
  { sampler: 'heun', predict: 'x', schedule: 'simple_linear', bound: [0.21, 0.12, 0.046] },
  { sampler: 'dpmpp_2m', predict: 'eps', schedule: 'simple_linear', bound: [0.14, 0.07, 0.028] },
];

describe('samplers reproduce Gaussian data (exact denoiser, numpy golden moments)', () => {
  const shape = { batch: 4, height: 16, width: 16, channels: CHANNELS };

  it.each(
    deterministic,
  )('$sampler ($predict model, $schedule): output N(B, A²) matches the golden and its error shrinks below the stated bounds', async ({
    sampler,
    predict,
    schedule,
    bound,
  }) => {
    const { exactOde, samplers } = golden.schedules[schedule]!;
    const errors: number[] = [];
    for (const steps of STEPS) {
      const { xT, y } = await run(sampler, predict, schedule, steps, shape);
      const got = affineMoments(xT, y);
      const want = samplers[sampler]![String(steps)]!;
      // The JavaScript solver against its float64 numpy transcription. x and v models agree to
      // ~1e-8. An ε model's x̂0 = (x − σ·ε̂)/α amplifies the float32 rounding of ε̂ and of the γ the
      // network is fed by σ/α ≈ 1.3e4 at t = 1, which the first step carries into the output in
      // proportion to its size (≈ 3e-4/steps).
      const tolerance = predict === 'eps' ? 1e-4 : 1e-6;
      expect(maxAbsDiff(got.std, want.std)).toBeLessThan(tolerance);
      expect(maxAbsDiff(got.mean, want.mean)).toBeLessThan(tolerance);
      // Against the exact ODE solution the mean is right to ≤ 1.2e-6 at every step count (the
      // flow only rescales x − μ); the spread carries the discretisation error.
      expect(maxAbsDiff(got.mean, exactOde.mean)).toBeLessThan(tolerance + 2e-6);
      errors.push(maxAbsDiff(got.std, exactOde.std));
    }
    expect(errors[1]!).toBeLessThan(errors[0]!);
    expect(errors[2]!).toBeLessThan(errors[1]!);
    errors.forEach((e, i) => {
      expect(e).toBeLessThan(bound[i]!);
    });
  });

  it('euler is DDIM written as an ODE step: the same output to round-off', async () => {
    const a = await run('euler', 'eps', 'cosine', 20, shape);
    const b = await run('ddim', 'eps', 'cosine', 20, shape);
    expect(maxAbsDiff(Array.from(a.y), Array.from(b.y))).toBeLessThan(1e-9);
  });

  // Values per channel: 65 536 for ddpm and dpmpp_2m_sde (standard errors 0.0047 of the mean and
  // 0.0033 of the std for s = 1.2), fewer for ddpm@small, whose errors are ten times larger. The
  // bounds on the error to the data are the golden chain's error plus about 4 standard errors.
  it.each([
    ['ddpm', 8, [0.05, 0.032, 0.022]],
    ['ddpm@small', 2, [0.22, 0.12, 0.06]],
    ['dpmpp_2m_sde', 8, [0.05, 0.04, 0.025]],
  ] as const)('%s: sample moments match the golden chain within 4 standard errors and the error to the data shrinks', async (sampler, batch, bound) => {
    const big = { batch, height: 64, width: 64, channels: CHANNELS };
    const { samplers } = golden.schedules['cosine']!;
    const errors: number[] = [];
    for (const steps of STEPS) {
      const { y } = await run(sampler, 'eps', 'cosine', steps, big);
      const got = sampleMoments(y);
      const want = samplers[sampler]![String(steps)]!;
      for (let c = 0; c < CHANNELS; c++) {
        const se = want.std[c]! / Math.sqrt(got.n);
        expect(Math.abs(got.mean[c]! - want.mean[c]!)).toBeLessThan(4 * se);
        expect(Math.abs(got.std[c]! - want.std[c]!)).toBeLessThan(4 * (se / Math.SQRT2));
      }
      errors.push(maxAbsDiff(got.std, s));
    }
    expect(errors[1]!).toBeLessThan(errors[0]!);
    expect(errors[2]!).toBeLessThan(errors[1]!);
    errors.forEach((e, i) => {
      expect(e).toBeLessThan(bound[i]!);
    });
  });
});
