/** `ns sample`: images from a trained run (Algorithm 3), as a grid, PNGs and an ADM .npz. */

import type { Device } from '@ns/graph';
import { SAMPLER_NAMES, type SamplerName } from '@ns/sampler';
import { type Command, Option } from 'commander';
import { generate } from '../run/generate.js';
import { finiteNumber, integer } from './options.js';
import { addDeviceOptions } from './train.js';

interface SampleCommandOptions {
  run: string;
  n: number;
  steps: number;
  out: string;
  sampler: SamplerName;
  schedule: string;
  guidance: number;
  label?: number;
  seed: number;
  batch: number;
  weights: 'ema' | 'online';
  device: Device;
  threads?: number;
}

export function registerSample(program: Command): void {
  const command = program
    .command('sample')
    .description('generate images from a trained run (DDPM/DDIM, Chen 2023 Algorithm 3)')
    .requiredOption('-r, --run <dir>', 'run directory written by `ns train`')
    .option('-n, --n <count>', 'number of images', integer(1), 16)
    .option('--steps <n>', 'sampling steps', integer(1), 100)
    .option('-o, --out <dir>', 'output folder (default <run>/samples)')
    .addOption(
      new Option('--sampler <name>', 'transition').choices([...SAMPLER_NAMES]).default('ddpm'),
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
    );
  addDeviceOptions(command).action(async (o: SampleCommandOptions) => {
    const result = await generate({
      runDir: o.run,
      outDir: o.out ?? `${o.run}/samples`,
      count: o.n,
      steps: o.steps,
      sampler: o.sampler,
      schedule: o.schedule,
      guidance: o.guidance,
      ...(o.label === undefined ? {} : { label: o.label }),
      seed: o.seed,
      batch: o.batch,
      weights: o.weights,
      device: o.device,
      ...(o.threads === undefined ? {} : { threads: o.threads }),
    });
    process.stdout.write(
      `grid: ${result.grid}\nimages: ${result.npz} (ADM layout, for \`ns fid\`)\n`,
    );
  });
}
