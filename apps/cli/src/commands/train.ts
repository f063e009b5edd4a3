/** `ns train`: the paper's Algorithm 2 on a RIN preset and a data set, with progress and Ctrl-C. */
import { datasetNames, loadDataset } from '@ns/data';
import type { Device } from '@ns/graph';
import { rinNet, train } from '@ns/trainer';
import { type Command, Option } from 'commander';
import { ProgressBar } from '../progress.js';
import { batchSource } from '../run/batches.js';
import { generate } from '../run/generate.js';
import { writeLossChart } from '../run/loss-chart.js';
import { modelForData } from '../run/model.js';
import { loadWeights, makeRunConfig, type RunConfig, readRunConfig } from '../run/run-dir.js';
import { integer, positiveNumber, probability } from './options.js';

export interface TrainCommandOptions {
  preset: string;
  data: string;
  steps: number;
  out: string;
  batch: number;
  seed: number;
  schedule: string;
  scale: number;
  lr: number;
  warmup: number;
  decay: string;
  optimizer: 'lamb' | 'adamw';
  ema: number;
  emaWarmup?: boolean;
  labelDropout: number;
  selfCondRate: number;
  checkpointEvery: number;
  sampleEvery: number;
  flip: boolean;
  size?: number;
  limit?: number;
  resume?: boolean;
  initFrom?: string;
  stopAfter?: number;
  device: Device;
  threads?: number;
  quiet?: boolean;
}

export function addDeviceOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--device <device>', 'execution provider').choices(['cpu', 'cuda']).default('cpu'),
    )
    .option('--threads <n>', 'intra-op threads (default: all cores)', integer(1));
}

export async function runTrain(
  o: TrainCommandOptions,
): Promise<{ runDir: string; lastLoss: number; step: number }> {
  const dataset = loadDataset(o.data, {
    ...(o.size === undefined ? {} : { size: o.size }),
    ...(o.limit === undefined ? {} : { limit: o.limit }),
  });
  const rin = modelForData(o.preset, dataset);
  const config: RunConfig = makeRunConfig(
    { ...o, inputScale: o.scale },
    { preset: o.preset, rin },
    dataset,
  );
  if (o.resume) {
    // Continue with the saved configuration; only --steps may grow.
    const saved = readRunConfig(o.out);
    Object.assign(config, { ...saved, steps: o.steps });
  }
  if (o.sampleEvery > 0 && o.sampleEvery % o.checkpointEvery !== 0) {
    // Grids are drawn from the EMA weights of the checkpoint written at that step.
    throw new RangeError(
      `--sample-every (${o.sampleEvery}) must be a multiple of --checkpoint-every (${o.checkpointEvery})`,
    );
  }
  const initialWeights =
    o.initFrom === undefined || o.resume ? undefined : await loadWeights(o.initFrom);
  const controller = new AbortController();
  let interrupts = 0;
  const onSigint = () => {
    interrupts++;
    if (interrupts > 1) process.exit(130);
    process.stderr.write(
      '\nstopping after this step and saving a checkpoint (Ctrl-C again to quit at once)\n',
    );
    controller.abort();
  };
  process.on('SIGINT', onSigint);
  const progress = o.quiet
    ? undefined
    : new ProgressBar({
        total: Math.min(config.steps, o.stopAfter ?? config.steps),
        label: 'training',
        unit: 'img/s',
      });
  let last = { loss: Number.NaN, step: 0 };
  try {
    for await (const r of train({
      runDir: o.out,
      net: rinNet(config.model.rin),
      config,
      data: batchSource(dataset, {
        batchSize: config.batch,
        seed: config.seed,
        flip: config.data.flip,
      }),
      resume: o.resume ?? false,
      device: o.device,
      ...(o.threads === undefined ? {} : { threads: o.threads }),
      signal: controller.signal,
      ...(initialWeights === undefined ? {} : { initialWeights }),
      ...(o.stopAfter === undefined ? {} : { stopAfter: o.stopAfter }),
    })) {
      if (progress && last.step === 0) progress.startDone = r.step - 1;
      last = { loss: r.loss, step: r.step };
      progress?.update(r.step, config.batch, {
        loss: r.loss.toFixed(4),
        lr: r.lr.toExponential(2),
      });
      if (o.sampleEvery > 0 && r.checkpoint && r.step % o.sampleEvery === 0) {
        const grid = await generate({
          runDir: o.out,
          outDir: `${o.out}/samples/step-${String(r.step).padStart(8, '0')}`,
          count: 16,
          steps: 50,
          sampler: 'ddpm',
          schedule: 'cosine',
          guidance: 0,
          seed: 0,
          batch: 16,
          weights: 'ema',
          device: o.device,
          individual: false,
          quiet: true,
          ...(o.threads === undefined ? {} : { threads: o.threads }),
        });
        await writeLossChart(o.out, `${o.preset} on ${config.data.name}`);
        process.stderr.write(`\nsample grid: ${grid.grid}\n`);
      }
    }
  } finally {
    process.off('SIGINT', onSigint);
  }
  if (last.step > 0) await writeLossChart(o.out, `${o.preset} on ${config.data.name}`);
  progress?.finish(
    controller.signal.aborted
      ? `stopped at step ${last.step}; resume with --resume`
      : `trained ${last.step} steps, last loss ${last.loss.toFixed(4)}`,
  );
  return { runDir: o.out, lastLoss: last.loss, step: last.step };
}

export function registerTrain(program: Command): void {
  const command = program
    .command('train')
    .description('train a RIN diffusion model (Chen 2023, Algorithm 2) into a run directory')
    .requiredOption(
      '-p, --preset <name>',
      'RIN preset (tiny, mnist, emoji, cifar10, imagenet64 …); image size, channels and classes follow the data',
    )
    .requiredOption(
      '-d, --data <name|path>',
      `data set: ${Object.keys(datasetNames()).join(', ')}, a folder of images, or an ADM .npz`,
    )
    .requiredOption('-n, --steps <n>', 'total training steps', integer(1))
    .requiredOption('-o, --out <dir>', 'run directory')
    .option('-b, --batch <n>', 'batch size', integer(1), 64)
    .option('--seed <n>', 'seed of the initialisation, data order and noise', integer(0), 0)
    .option(
      '-s, --schedule <spec>',
      'training noise schedule γ(t) (any @ns/schedules spec)',
      'simple_linear',
    )
    .option('--scale <b>', 'input scale b (see `ns schedule suggest`)', positiveNumber, 1)
    .option('--lr <lr>', 'base learning rate', positiveNumber, 2e-3)
    .option('--warmup <steps>', 'linear warm-up steps', integer(0), 0)
    .option(
      '--decay <decay>',
      "learning-rate decay after warm-up: 'cosine@r' or 'constant'",
      'cosine@0.7',
    )
    .addOption(
      new Option('--optimizer <name>', 'optimizer').choices(['lamb', 'adamw']).default('lamb'),
    )
    .option('--ema <decay>', 'EMA decay of the sampling weights', probability, 0.9999)
    .option(
      '--no-ema-warmup',
      'constant EMA decay from the first step (default: min(decay, (1 + k)/(10 + k)) at step k)',
    )
    .option('--label-dropout <p>', 'probability of dropping the class label', probability, 0)
    .option(
      '--self-cond-rate <p>',
      'probability of self-conditioning on the first pass latents',
      probability,
      0.9,
    )
    .option('--checkpoint-every <n>', 'steps between checkpoints', integer(1), 500)
    .option(
      '--sample-every <n>',
      'steps between sample grids (at checkpoints; 0 = off)',
      integer(0),
      0,
    )
    .option('--flip', 'random horizontal flips', false)
    .option('--size <px>', 'side length for image folders', integer(1))
    .option('--limit <n>', 'use only the first n images', integer(1))
    .option('--resume', 'continue the run in --out from its latest checkpoint')
    .option(
      '--init-from <path>',
      'start from these weights: a .safetensors file or a run directory (its EMA)',
    )
    .option('-q, --quiet', 'no progress bar');
  addDeviceOptions(command).action(async (options: TrainCommandOptions) => {
    const result = await runTrain(options);
    process.stdout.write(`run: ${result.runDir} (step ${result.step})\n`);
  });
}
