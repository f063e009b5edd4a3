/**
 * Against tools/golden/schedules/make_golden_discrete.py: numpy transcriptions of diffusers 0.40's
 * set_timesteps (leading / trailing / linspace), rescale_zero_terminal_snr, k-diffusion's Karras
 * sigmas, the sampling grids built from them, and betas_for_alpha_bar of the new families.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  diffusersSchedulerConfig,
  diffusersTimesteps,
  formatSpacing,
  karrasSigmas,
  parseSchedule,
  parseSpacing,
  rescaleZeroTerminalSnr,
  roundHalfEven,
  samplingGrid,
  type TimestepSpacing,
  timeGrid,
} from '../src/index.js';

type Num = number | null;
interface Discrete {
  timesteps: {
    trainSteps: number;
    steps: number;
    spacing: TimestepSpacing;
    stepsOffset: number;
    timesteps: number[];
  }[];
  zeroSnr: { name: string; betas: number[]; rescaled: number[] }[];
  karras: { steps: number; sigmaMin: number; sigmaMax: number; rho: number; sigmas: number[] }[];
  grids: { schedule: string; steps: number; spacing: string; t: number[]; gamma: Num[] }[];
  exported: { spec: string; trainSteps: number; betas: number[] }[];
}

const golden: Discrete = JSON.parse(
  readFileSync(join(__dirname, 'fixtures', 'discrete.json'), 'utf8'),
);

function expectClose(
  what: string,
  actual: ArrayLike<number>,
  expected: readonly Num[],
  tol: number,
) {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = expected[i]!;
    const a = actual[i]!;
    const error =
      e === null ? (Number.isFinite(a) ? 1 : 0) : Math.abs(a - e) / Math.max(1, Math.abs(e));
    if (!(error <= tol)) throw new Error(`${what}[${i}]: got ${a}, numpy ${e} (error ${error})`);
  }
}

describe('diffusers set_timesteps', () => {
  it.each(
    golden.timesteps.map(
      (c) => [`${c.spacing}@${c.trainSteps},${c.stepsOffset} N=${c.steps}`, c] as const,
    ),
  )('%s', (_name, c) => {
    const got = diffusersTimesteps(c.steps, {
      trainSteps: c.trainSteps,
      spacing: c.spacing,
      stepsOffset: c.stepsOffset,
    });
    expect(Array.from(got)).toEqual(c.timesteps);
  });

  it('rounds halves to even as numpy does, and checks its arguments', () => {
    expect([0.5, 1.5, 2.5, -0.5, 3.4999].map(roundHalfEven)).toEqual([0, 2, 2, -0, 3]);
    expect(() => diffusersTimesteps(1001)).toThrow(
      '`steps` must be <= `trainSteps` (1000), got 1001',
    );
    expect(() => diffusersTimesteps(10, { spacing: 'even' as TimestepSpacing })).toThrow(
      '`spacing` must be one of leading, trailing, linspace, got "even"',
    );
    expect(() => diffusersTimesteps(1000, { stepsOffset: 1 })).toThrow(
      '`stepsOffset` puts the first timestep at 1000, past the last trained step 999',
    );
  });
});

describe('rescale_zero_terminal_snr (Lin et al. 2023)', () => {
  it.each(golden.zeroSnr.map((c) => [c.name, c] as const))('%s', (_name, c) => {
    const rescaled = rescaleZeroTerminalSnr(c.betas);
    expectClose('betas', rescaled, c.rescaled, 1e-13);
    expect(rescaled[rescaled.length - 1]).toBe(1); // ᾱ_T = 0 exactly
    expect(rescaled[0]).toBeCloseTo(c.betas[0]!, 15); // ᾱ_0 kept
  });

  it('rejects betas that cannot be rescaled', () => {
    expect(() => rescaleZeroTerminalSnr([0.1])).toThrow('at least 2 values');
    expect(() => rescaleZeroTerminalSnr([0.1, 1.2])).toThrow(
      '`betas[1]` must be in [0, 1], got 1.2',
    );
    expect(() => rescaleZeroTerminalSnr([0, 0])).toThrow('must make ᾱ decrease');
  });
});

describe('Karras sigmas (ρ = 7)', () => {
  it.each(
    golden.karras.map((c) => [`N=${c.steps} ${c.sigmaMin}…${c.sigmaMax} ρ=${c.rho}`, c] as const),
  )('%s', (_name, c) => {
    const sigmas = karrasSigmas(c.steps, c);
    expectClose('sigmas', sigmas, c.sigmas, 1e-14);
    expect(sigmas[c.steps]).toBe(0);
  });
});

describe('sampling grids: any spacing on any schedule', () => {
  it.each(
    golden.grids.map((g) => [`${g.schedule} N=${g.steps} ${g.spacing}`, g] as const),
  )('%s', (_name, g) => {
    const schedule = parseSchedule(g.schedule);
    const grid = samplingGrid(schedule, g.steps, g.spacing);
    expect(grid.spacing).toBe(formatSpacing(parseSpacing(g.spacing)));
    const t = [...grid.tNow, grid.tNext[grid.tNext.length - 1]!];
    const gamma = [...grid.gammaNow, grid.gammaNext[grid.gammaNext.length - 1]!];
    expectClose('t', t, g.t, 1e-13);
    expectClose('gamma', gamma, g.gamma, 1e-13);
    expect(Array.from(grid.tNow.slice(1))).toEqual(Array.from(grid.tNext.slice(0, -1)));
  });

  it('uniform is Algorithm 3’s timeGrid', () => {
    const grid = samplingGrid(parseSchedule('cosine'), 7);
    const reference = timeGrid(7);
    expect(grid.tNow).toEqual(reference.tNow);
    expect(grid.tNext).toEqual(reference.tNext);
  });

  it('parses and formats spacing specs', () => {
    expect(formatSpacing(parseSpacing('karras'))).toBe('karras@0.002,80,7');
    expect(formatSpacing(parseSpacing(' trailing '))).toBe('trailing@1000');
    expect(formatSpacing(parseSpacing('leading@1000,1'))).toBe('leading@1000,1');
    expect(formatSpacing(parseSpacing('karras@0.03,14.6'))).toBe('karras@0.03,14.6,7');
    expect(() => parseSpacing('even')).toThrow(
      /invalid spacing spec "even": unknown spacing "even"/,
    );
    expect(() => parseSpacing('karras@80,0.002')).toThrow(/need 0 < sigmaMin < sigmaMax/);
    expect(() => parseSpacing('trailing@10.5')).toThrow(
      /trainSteps must be an integer >= 1, got 10.5/,
    );
    expect(() => parseSpacing('uniform@3')).toThrow(/`uniform` takes no fields/);
  });
});

describe('diffusers scheduler_config.json', () => {
  it.each(golden.exported.map((e) => [e.spec, e] as const))('%s trained_betas', (_spec, e) => {
    const config = diffusersSchedulerConfig(parseSchedule(e.spec), { trainSteps: e.trainSteps });
    expectClose('trained_betas', config.trained_betas, e.betas, 1e-12);
  });

  it('writes DDPMScheduler keys, trailing spacing by default, and maps the options', () => {
    const config = diffusersSchedulerConfig(parseSchedule('simple_linear+scale=0.5'), {
      trainSteps: 50,
      predict: 'v',
      variance: 'small',
      zeroTerminalSnr: true,
    });
    expect(config).toMatchObject({
      _class_name: 'DDPMScheduler',
      num_train_timesteps: 50,
      prediction_type: 'v_prediction',
      variance_type: 'fixed_small',
      timestep_spacing: 'trailing',
      rescale_betas_zero_snr: true,
      clip_sample_range: 1,
    });
    expect(config.trained_betas).toHaveLength(50);
    expect(JSON.parse(JSON.stringify(config))).toEqual(config);
    expect(() =>
      diffusersSchedulerConfig(parseSchedule('cosine'), { predict: 'score' as 'v' }),
    ).toThrow("`predict` must be 'eps', 'x' or 'v', got \"score\"");
  });
});
