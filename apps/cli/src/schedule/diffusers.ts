/** `ns schedule diffusers`: a diffusers scheduler_config.json for any schedule spec. */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  alphasCumprod,
  type DiffusersConfigOptions,
  type DiffusersSchedulerConfig,
  diffusersSchedulerConfig,
} from '@ns/schedules';
import { scaledSchedule } from './sample.js';

export const SCHEDULER_CONFIG_NAME = 'scheduler_config.json';

export interface WrittenConfig {
  readonly path: string;
  readonly config: DiffusersSchedulerConfig;
  /** ᾱ at the first and last trained step (before any zero-terminal-SNR rescale). */
  readonly alphaBar: readonly [number, number];
}

/** Writes `<dir>/scheduler_config.json` for the schedule `spec` at input scale `scale`. */
export async function writeDiffusersConfig(
  spec: string,
  scale: number,
  dir: string,
  options: DiffusersConfigOptions,
): Promise<WrittenConfig> {
  const schedule = scaledSchedule(spec, scale);
  const config = diffusersSchedulerConfig(schedule, options);
  const alphaBar = alphasCumprod(schedule, config.num_train_timesteps, {
    ...(options.maxBeta === undefined ? {} : { maxBeta: options.maxBeta }),
  });
  await mkdir(dir, { recursive: true });
  const path = join(dir, SCHEDULER_CONFIG_NAME);
  await writeFile(path, `${JSON.stringify(config, null, 2)}\n`);
  return { path, config, alphaBar: [alphaBar[0]!, alphaBar[alphaBar.length - 1]!] };
}

/** One line about what was written. */
export function describeConfig({ path, config, alphaBar }: WrittenConfig): string {
  const zero = config.rescale_betas_zero_snr ? ', rescaled to zero terminal SNR on load' : '';
  return (
    `wrote ${path}: DDPMScheduler, ${config.num_train_timesteps} trained_betas ` +
    `(ᾱ_0 = ${alphaBar[0].toPrecision(6)}, ᾱ_T = ${alphaBar[1].toPrecision(4)}${zero}), ` +
    `${config.prediction_type}, ${config.variance_type}, timestep_spacing ${config.timestep_spacing}\n`
  );
}
