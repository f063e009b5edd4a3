/** The grid file of `ns sweep` (defaults, errors, trial order) and the job pool that runs trials. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gridChange, settleGrid } from '../src/folder';
import {
  DEFAULT_EVAL_SETTINGS,
  DEFAULT_TRAIN_SETTINGS,
  expandTrials,
  parseGrid,
  type SweepGrid,
} from '../src/grid';
import { runPool, threadsPerJob } from '../src/pool';
import { trialModel } from '../src/trial-model';

const minimal = {
  data: 'mnist',
  heldOut: 'mnist-test',
  preset: 'tiny',
  resolutions: [64, 32],
  budget: { steps: 100 },
};

describe('parseGrid', () => {
  test('fills every default and sorts resolutions and scales', () => {
    const grid = parseGrid({ ...minimal, inputScales: [1, 0.3, 0.5] });
    expect(grid).toEqual({
      data: 'mnist',
      heldOut: 'mnist-test',
      preset: 'tiny',
      model: {},
      patchSize: {},
      resolutions: [32, 64],
      schedules: ['simple_linear'],
      inputScales: [0.3, 0.5, 1],
      seeds: [0],
      budget: { steps: 100 },
      train: DEFAULT_TRAIN_SETTINGS,
      eval: DEFAULT_EVAL_SETTINGS,
    });
  });

  test('a minutes budget has a step cap and a constant learning rate unless told otherwise', () => {
    const grid = parseGrid({ ...minimal, budget: { minutes: 2 } });
    expect(grid.budget).toEqual({ minutes: 2, maxSteps: 1_000_000 });
    expect(grid.train.decay).toBe('constant');
    const told = parseGrid({ ...minimal, budget: { minutes: 2 }, train: { decay: 'cosine@1' } });
    expect(told.train.decay).toBe('cosine@1');
  });

  test.each([
    [{ ...minimal, resoltions: [32] }, 'grid: unknown key resoltions'],
    [{ ...minimal, train: { epochs: 3 } }, 'grid: train: unknown key epochs'],
    [{ ...minimal, resolutions: [] }, 'grid: resolutions: a non-empty array, got []'],
    [{ ...minimal, resolutions: [32, 32] }, 'grid: resolutions.1: 32 is listed twice'],
    [{ ...minimal, inputScales: [0] }, 'grid: inputScales.0: a number > 0, got 0'],
    [{ ...minimal, schedules: ['cosin@1'] }, 'grid: schedules.0:'],
    [{ ...minimal, schedules: ['simple_linear+scale=0.5'] }, 'carries +scale; list input scales'],
    [{ ...minimal, budget: {} }, 'grid: budget: give exactly one of steps or minutes'],
    [{ ...minimal, budget: { steps: 5, minutes: 1 } }, 'give exactly one of steps or minutes'],
    [{ ...minimal, budget: { steps: 5, maxSteps: 9 } }, 'grid: budget.maxSteps: only with minutes'],
    [{ ...minimal, patchSize: { '32': 3 } }, 'grid: patchSize.32: 3 does not divide 32'],
    [
      { ...minimal, patchSize: { '16': 4 } },
      'grid: patchSize.16: 16 is not one of the resolutions (32, 64)',
    ],
    [{ ...minimal, train: { ema: 2 } }, 'grid: train.ema: a number in [0, 1), got 2'],
    [{ ...minimal, train: { ema: 1 } }, 'grid: train.ema: a number in [0, 1), got 1'],
    [{ ...minimal, train: { optimizer: 'sgd' } }, 'grid: train.optimizer: one of lamb, adamw'],
    [
      { ...minimal, train: { decay: 'cosin@1' } },
      "grid: train.decay: learning-rate decay must be 'constant' or 'cosine@r'",
    ],
    [
      { ...minimal, train: { weighting: 'min_snr@x' } },
      'grid: train.weighting: --weighting "min_snr@x": expected one number after @',
    ],
    [{ ...minimal, eval: { sampler: 'plms' } }, 'grid: eval.sampler: one of ddim, ddpm'],
    [{ ...minimal, eval: { samples: 1 } }, 'grid: eval.samples: an integer >= 2, got 1'],
    [{ ...minimal, eval: { shards: 0 } }, 'grid: eval.shards: an integer >= 1, got 0'],
    [
      { ...minimal, eval: { samples: 10, batch: 4, shards: 4 } },
      'grid: eval.shards: 4 shards of 3 batches (eval.samples 10 / eval.batch 4): at most 3',
    ],
    [{ ...minimal, data: '' }, 'grid: data: a non-empty string, got ""'],
    [[1, 2], 'grid: an object, got [1,2]'],
    [{ ...minimal, model: { imageSize: 32 } }, 'grid: model.imageSize: follows the data'],
    [{ ...minimal, model: { patchSize: 2 } }, 'grid: model.patchSize: set it per resolution'],
    [{ ...minimal, model: 3 }, 'grid: model: an object, got 3'],
  ])('refuses %j', (value, message) => {
    expect(() => parseGrid(value)).toThrow(message);
  });
});

describe('expandTrials', () => {
  test('one trial per cell, seed-major, with folder names that say what the trial is', () => {
    const grid = parseGrid({
      ...minimal,
      schedules: ['simple_linear', 'cosine@0.2,1,1'],
      inputScales: [0.5, 1],
      seeds: [0, 1],
    });
    const trials = expandTrials(grid);
    expect(trials).toHaveLength(2 * 2 * 2 * 2);
    expect(trials.slice(0, 5).map((t) => t.id)).toEqual([
      'r32-simple_linear-b0.5-s0',
      'r32-simple_linear-b1-s0',
      'r32-cosine_0.2_1_1-b0.5-s0',
      'r32-cosine_0.2_1_1-b1-s0',
      'r64-simple_linear-b0.5-s0',
    ]);
    // Every cell is visited once with seed 0 before any seed 1.
    expect(trials.findIndex((t) => t.seed === 1)).toBe(8);
    expect(trials[3]).toEqual({
      id: 'r32-cosine_0.2_1_1-b1-s0',
      resolution: 32,
      schedule: 'cosine@0.2,1,1',
      inputScale: 1,
      seed: 0,
    });
    expect(new Set(trials.map((t) => t.id)).size).toBe(trials.length);
  });

  test('two specs that map to the same folder name are refused', () => {
    const grid = parseGrid({ ...minimal, schedules: ['cosine@0.2,1,1', 'cosine@0.2,1, 1'] });
    expect(() => expandTrials(grid)).toThrow('give the same folder name r32-cosine_0.2_1_1-b1-s0');
  });
});

describe('trialModel', () => {
  test("the preset, then the grid's overrides, then the resolution's patch size; data decides the rest", () => {
    const grid = parseGrid({
      ...minimal,
      model: { interfaceDim: 96 },
      patchSize: { '32': 4, '64': 8 },
    });
    const at64 = trialModel(grid, 64, { channels: 1, numClasses: 10 });
    expect(at64).toMatchObject({
      imageSize: 64,
      channels: 1,
      numClasses: 10,
      patchSize: 8,
      interfaceDim: 96,
      latents: 8, // the tiny preset's
    });
    expect(trialModel(grid, 32, { channels: 3, numClasses: 0 })).toMatchObject({
      imageSize: 32,
      channels: 3,
      patchSize: 4,
    });
  });

  test("an override the RIN cannot build is refused with the RIN's reason", () => {
    const grid = parseGrid({ ...minimal, model: { interfaceDim: 33 } });
    expect(() => trialModel(grid, 32, { channels: 1, numClasses: 10 })).toThrow('interfaceDim');
  });
});

describe('growing a sweep', () => {
  const saved: SweepGrid = parseGrid({ ...minimal, inputScales: [0.5, 1], seeds: [0] });

  test('more seeds, scales or resolutions are fine; changed settings or lost values are not', () => {
    expect(gridChange(saved, saved)).toBeUndefined();
    expect(gridChange(saved, parseGrid({ ...minimal, inputScales: [0.5, 1], seeds: [0, 1] }))).toBe(
      undefined,
    );
    expect(
      gridChange(
        saved,
        parseGrid({ ...minimal, resolutions: [32, 64, 128], inputScales: [0.3, 0.5, 1] }),
      ),
    ).toBeUndefined();
    expect(gridChange(saved, parseGrid({ ...minimal, inputScales: [1] }))).toBe(
      'inputScales lost 0.5',
    );
    expect(
      gridChange(saved, parseGrid({ ...minimal, inputScales: [0.5, 1], train: { lr: 1e-3 } })),
    ).toBe('its settings differ');
    expect(
      gridChange(saved, parseGrid({ ...minimal, inputScales: [0.5, 1], patchSize: { '32': 8 } })),
    ).toBe('its settings differ');
  });

  test('settleGrid saves the first grid, continues without one, and names the change it refuses', async () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'ns-sweep-grid-')), 'sweep');
    await expect(settleGrid(dir, undefined)).rejects.toThrow(
      'pass --grid grid.json to start the sweep',
    );
    expect(await settleGrid(dir, saved)).toEqual(saved);
    expect(await settleGrid(dir, undefined)).toEqual(saved);
    const grown = parseGrid({ ...minimal, inputScales: [0.5, 1], seeds: [0, 1] });
    expect((await settleGrid(dir, grown)).seeds).toEqual([0, 1]);
    expect((await settleGrid(dir, undefined)).seeds).toEqual([0, 1]);
    await expect(settleGrid(dir, saved)).rejects.toThrow(
      `was started with another grid (${join(dir, 'grid.json')}): seeds lost 1.`,
    );
  });
});

describe('runPool', () => {
  const tick = () => new Promise((resolve) => setTimeout(resolve, 5));

  test('never more than `jobs` in flight, every item once, slots free while used', async () => {
    let inFlight = 0;
    let peak = 0;
    const slotsInUse = new Set<number>();
    const seen: number[] = [];
    const outcomes = await runPool([1, 2, 3, 4, 5, 6, 7], 3, async (item, slot) => {
      expect(slotsInUse.has(slot)).toBe(false);
      slotsInUse.add(slot);
      inFlight++;
      peak = Math.max(peak, inFlight);
      await tick();
      seen.push(item);
      inFlight--;
      slotsInUse.delete(slot);
      return item * 10;
    });
    expect(peak).toBe(3);
    expect(seen.sort()).toEqual([1, 2, 3, 4, 5, 6, 7]);
    expect(outcomes.map((o) => o?.status === 'fulfilled' && o.value)).toEqual([
      10, 20, 30, 40, 50, 60, 70,
    ]);
  });

  test('a failing item does not stop the others; shouldStart stops new starts only', async () => {
    const outcomes = await runPool([1, 2, 3], 1, async (item) => {
      if (item === 2) throw new Error('boom');
      return item;
    });
    expect(outcomes.map((o) => o?.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    let started = 0;
    const partial = await runPool(
      [1, 2, 3, 4],
      2,
      async () => {
        started++;
        await tick();
      },
      () => started < 2,
    );
    expect(started).toBe(2);
    expect(partial.filter((o) => o === undefined)).toHaveLength(2);
    await expect(runPool([1], 0, async () => 1)).rejects.toThrow('jobs: expected an integer ≥ 1');
  });

  test('threads are split evenly, at least one each', () => {
    expect(threadsPerJob(16, 4)).toBe(4);
    expect(threadsPerJob(2, 2)).toBe(1);
    expect(threadsPerJob(2, 3)).toBe(1);
    expect(threadsPerJob(7, 2)).toBe(3);
    expect(() => threadsPerJob(0, 1)).toThrow('threads: expected an integer ≥ 1, got 0');
  });
});
