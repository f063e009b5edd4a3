/**
 * `ns sample`: images from a trained run (Algorithm 3), as a grid, PNGs and an ADM .npz. The run's
 * eval_model.onnx runs on the chosen checkpoint's weights (bound as external data, no export).
 */
import { dirname, join } from 'node:path';
import { loadDataset } from '@ns/data';
import { builtinExtractor, writeMoments } from '@ns/eval-fid';
import type { Device } from '@ns/graph';
import { SAMPLER_NAMES } from '@ns/sampler';
import { featureSnapshot } from '@ns/sweep';
import { openRun, writeSampleFiles } from '@ns/trainer';
import { type Command, Option } from 'commander';
import { ProgressBar } from '../progress.js';
import { finiteNumber, integer, shardValue } from './options.js';
import { addDeviceOptions } from './train.js';

interface SampleCommandOptions {
  run: string;
  n: number;
  steps: number;
  out?: string;
  sampler: string;
  schedule: string;
  guidance: number;
  label?: number;
  seed: number;
  batch: number;
  weights: 'ema' | 'online';
  fromCheckpoint?: string;
  shard?: { index: number; count: number };
  features?: string;
  device: Device;
  threads?: number;
  quiet?: boolean;
}

export function registerSample(program: Command): void {
  const command = program
    .command('sample')
    .description('generate images from a trained run (Chen 2023 Algorithm 3 and faster samplers)')
    .requiredOption('-r, --run <dir>', 'run folder written by `ns train`')
    .option('-n, --n <count>', 'number of images', integer(1), 16)
    .option('--steps <n>', 'network evaluations per image', integer(1), 100)
    .option('-o, --out <dir>', 'output folder (default <run>/samples)')
    .addOption(
      new Option('--sampler <name>', 'sampler').choices([...SAMPLER_NAMES]).default('ddpm'),
    )
    .option('-s, --schedule <spec>', 'inference schedule (independent of training)', 'cosine')
    .option('-w, --guidance <w>', 'classifier-free guidance weight', finiteNumber, 0)
    .option('--label <k>', 'class of every image (default: random classes)', integer(0))
    .option('--seed <n>', 'seed of the noise and labels', integer(0), 0)
    .option('-b, --batch <n>', 'images per network batch', integer(1), 64)
    .addOption(
      new Option('--weights <which>', 'EMA or online weights')
        .choices(['ema', 'online'])
        .default('ema'),
    )
    .option(
      '--from-checkpoint <name>',
      'sample this checkpoint (e.g. step-00001000) instead of the latest',
    )
    .option(
      '--shard <i/K>',
      'draw only shard i of K of the n images (whole batches, same seeds)',
      shardValue,
    )
    .option(
      '--features <name>',
      'also write moments.npz: count, mean and scatter of these built-in features (e.g. mnist), which shards merge exactly',
    )
    .option('-q, --quiet', 'no progress bar');
  addDeviceOptions(command).action(async (o: SampleCommandOptions) => {
    // Before any sampling: an unknown extractor name fails at once.
    const extractor = o.features === undefined ? undefined : builtinExtractor(o.features);
    const run = await openRun(o.run);
    let progress: ProgressBar | undefined;
    const result = await run.sample({
      count: o.n,
      steps: o.steps,
      sampler: o.sampler,
      schedule: o.schedule,
      guidance: o.guidance,
      ...(o.label === undefined ? {} : { label: o.label }),
      seed: o.seed,
      batch: o.batch,
      weights: o.weights,
      ...(o.fromCheckpoint === undefined ? {} : { fromCheckpoint: o.fromCheckpoint }),
      ...(o.shard === undefined ? {} : { shard: o.shard }),
      device: o.device,
      ...(o.threads === undefined ? {} : { threads: o.threads }),
      onStep: (done, total) => {
        if (o.quiet) return;
        progress ??= new ProgressBar({ total, label: 'sampling', unit: 'steps/s' });
        progress.update(done, 1);
      },
    });
    progress?.finish();
    const shard = o.shard === undefined ? '' : `-shard-${o.shard.index}-of-${o.shard.count}`;
    const files = await writeSampleFiles(result, `${o.out ?? `${o.run}/samples`}${shard}`);
    process.stdout.write(
      `grid: ${files.grid}\nimages: ${files.npz} (ADM layout, for \`ns fid\`; ${result.count} images from ${result.checkpoint})\n`,
    );
    if (o.features !== undefined && extractor !== undefined) {
      const moments = join(dirname(files.grid), 'moments.npz');
      const images = loadDataset(files.npz);
      writeMoments(moments, await featureSnapshot(images, o.features, o.threads));
      process.stdout.write(
        `moments: ${moments} (${extractor.metric} features of ${images.count} images; ns fid reads it, shards merge exactly)\n`,
      );
    }
  });
}
