/**
 * Against tools/golden/schedules/make_golden.py: Algorithm 1 verbatim and the reference sampler
 * maths in float64 numpy. Agreement to 1e-12 (relative above 1, absolute below).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  alphasCumprod,
  betas,
  clipX0,
  ddimStep,
  ddpmStep,
  epsFromV,
  normalizeVariance,
  parseSchedule,
  predictionToX0Eps,
  timeGrid,
  withInputScale,
  x0FromEps,
  x0FromV,
} from '../src/index.js';

type Num = number | null;
interface Golden {
  t: number[];
  scales: number[];
  schedules: { spec: string; gamma: number[]; logSnr: Num[][] }[];
  discrete: { spec: string; steps: number; betas: number[]; alphasCumprod: number[] }[];
  sampler: Record<string, unknown> & {
    batch: number;
    scale: number;
    grid: { steps: number; td: number; tNow: number[]; tNext: number[] };
  };
}

const golden: Golden = JSON.parse(readFileSync(join(__dirname, 'fixtures', 'golden.json'), 'utf8'));
const TOL = 1e-12;

/**
 * logSNR = ln γ − ln(1 − γ) is ill-conditioned where γ is within a few ulps of 1 (t ≈ 0): one ulp
 * of γ moves λ by 2⁻⁵³/(γ(1 − γ)). Allow four such ulps on top of TOL, so the check is exactly
 * "equal to float64 round-off" and no looser.
 */
function logSnrSlack(gamma: readonly Num[]): (i: number) => number {
  return (i) => {
    const g = gamma[i];
    return g === null || g === undefined ? 0 : (4 * 2 ** -53) / (g * (1 - g));
  };
}

function expectClose(
  actual: ArrayLike<number>,
  expected: readonly Num[],
  what: string,
  slack: (i: number) => number = () => 0,
): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i];
    const a = actual[i]!;
    if (e === null || e === undefined) {
      if (Number.isFinite(a)) throw new Error(`${what}[${i}]: expected non-finite, got ${a}`);
      continue;
    }
    const error = Math.abs(a - e) / Math.max(1, Math.abs(e));
    if (!(error <= TOL + slack(i)))
      throw new Error(`${what}[${i}]: got ${a}, numpy ${e} (error ${error})`);
  }
}

const arr = (key: string): Float64Array => Float64Array.from(golden.sampler[key] as number[]);

describe('schedules against Algorithm 1 in numpy', () => {
  const t = Float64Array.from(golden.t);
  it.each(golden.schedules.map((s) => [s.spec, s] as const))('%s', (_spec, s) => {
    const schedule = parseSchedule(s.spec);
    expectClose(schedule.gammaArray(t), s.gamma, `${s.spec} gammaArray`);
    expectClose(
      Array.from(t, (x) => schedule.gamma(x)),
      s.gamma,
      `${s.spec} gamma`,
    );
    for (const [k, b] of golden.scales.entries()) {
      const scaled = withInputScale(schedule, b);
      const expected = s.logSnr[k]!;
      expectClose(
        scaled.logSnrArray(t),
        expected,
        `${s.spec} b=${b} logSnrArray`,
        logSnrSlack(s.gamma),
      );
      expectClose(
        Array.from(t, (x) => scaled.logSnr(x)),
        expected,
        `${s.spec} b=${b} logSnr`,
        logSnrSlack(s.gamma),
      );
      // γ is the base schedule's own; the scale does not change it.
      expectClose(scaled.gammaArray(t), s.gamma, `${s.spec} b=${b} gamma`);
    }
  });
});

describe('diffusers betas_for_alpha_bar', () => {
  it.each(golden.discrete.map((d) => [`${d.spec} T=${d.steps}`, d] as const))('%s', (_name, d) => {
    const schedule = parseSchedule(d.spec);
    expectClose(betas(schedule, d.steps), d.betas, 'betas');
    expectClose(alphasCumprod(schedule, d.steps), d.alphasCumprod, 'alphasCumprod');
  });
});

describe('sampler maths against the reference transition_step', () => {
  const { batch, scale } = golden.sampler;
  const xt = arr('xt');
  const prediction = arr('prediction');
  const noise = arr('noise');
  const gammaNow = arr('gammaNow');
  const gammaNext = arr('gammaNext');
  expect(gammaNow.length).toBe(batch);

  it('converts eps and v predictions', () => {
    expectClose(
      x0FromEps(xt, prediction, gammaNow),
      golden.sampler['x0FromEps'] as number[],
      'x0FromEps',
    );
    expectClose(
      x0FromV(xt, prediction, gammaNow),
      golden.sampler['x0FromV'] as number[],
      'x0FromV',
    );
    expectClose(
      epsFromV(xt, prediction, gammaNow),
      golden.sampler['epsFromV'] as number[],
      'epsFromV',
    );
    expectClose(
      clipX0(x0FromV(xt, prediction, gammaNow), scale),
      golden.sampler['x0VClipped'] as number[],
      'clip',
    );
  });

  it('clips x̂0 to [−b, b] and re-derives ε̂ (truncate_noise)', () => {
    const { x0, eps } = predictionToX0Eps({
      xt,
      prediction,
      gamma: gammaNow,
      predict: 'eps',
      clip: scale,
      truncateNoise: true,
    });
    expectClose(x0, golden.sampler['x0Clipped'] as number[], 'x0');
    expectClose(eps, golden.sampler['epsTruncated'] as number[], 'eps');
  });

  it('takes DDIM and DDPM (large, small) steps', () => {
    const { x0, eps } = predictionToX0Eps({
      xt,
      prediction,
      gamma: gammaNow,
      predict: 'eps',
      clip: scale,
      truncateNoise: true,
    });
    expectClose(ddimStep({ x0, eps, gammaNext }), golden.sampler['ddim'] as number[], 'ddim');
    expectClose(
      ddpmStep({ xt, eps, gammaNow, gammaNext, noise }),
      golden.sampler['ddpmLarge'] as number[],
      'ddpm large',
    );
    expectClose(
      ddpmStep({ xt, eps, gammaNow, gammaNext, noise, variance: 'small' }),
      golden.sampler['ddpmSmall'] as number[],
      'ddpm small',
    );
  });

  it('builds the time grid of Algorithm 3 with td', () => {
    const { steps, td, tNow, tNext } = golden.sampler.grid;
    const grid = timeGrid(steps, td);
    expectClose(grid.tNow, tNow, 'tNow');
    expectClose(grid.tNext, tNext, 'tNext');
  });

  it('normalises each example by its population std', () => {
    expectClose(
      normalizeVariance(xt, batch),
      golden.sampler['normalized'] as number[],
      'normalized',
    );
  });
});
