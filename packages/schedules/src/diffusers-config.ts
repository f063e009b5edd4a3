/**
 * A diffusers `scheduler_config.json` for any schedule: a DDPMScheduler (which DDIM, Euler,
 * DPM-Solver … load through `from_config`) whose `trained_betas` are {@link betas} of the schedule,
 * so its ᾱ_k is the schedule's variance-preserving γ at t = (k + 1)/T. Keys and defaults follow
 * DDPMScheduler's constructor in diffusers 0.40.
 */

import { betas } from './diffusers.js';
import { assertInClosedRange, assertInteger } from './errors.js';
import type { Prediction } from './sampling.js';
import type { Schedule } from './schedule.js';
import { TIMESTEP_SPACINGS, type TimestepSpacing } from './timesteps.js';

/** The diffusers release whose DDPMScheduler signature the config follows. */
export const DIFFUSERS_VERSION = '0.40.0';

export interface DiffusersConfigOptions {
  /** `num_train_timesteps` T (default 1000). */
  readonly trainSteps?: number;
  /** Cap on each β (default 0.999, as `betas_for_alpha_bar`). */
  readonly maxBeta?: number;
  /**
   * `timestep_spacing` (default 'trailing': its first step is k = T − 1, t = 1, where Algorithm 3
   * starts; diffusers' own default 'leading' never visits the terminal step).
   */
  readonly spacing?: TimestepSpacing;
  readonly stepsOffset?: number;
  /** `prediction_type`: eps → 'epsilon', x → 'sample', v → 'v_prediction' (default eps). */
  readonly predict?: Prediction;
  /** `variance_type`: 'large' → fixed_large (the paper's DDPM), 'small' → fixed_small (default large). */
  readonly variance?: 'large' | 'small';
  /** Set `rescale_betas_zero_snr`, so diffusers applies Lin et al.'s rescale on load (default false). */
  readonly zeroTerminalSnr?: boolean;
  /** `clip_sample` of x̂0 to [−1, 1], the data range of the variance-preserving equivalent (default true). */
  readonly clipSample?: boolean;
}

/** The JSON object of a DDPMScheduler `scheduler_config.json`. */
export interface DiffusersSchedulerConfig {
  readonly _class_name: 'DDPMScheduler';
  readonly _diffusers_version: string;
  readonly num_train_timesteps: number;
  readonly beta_start: number;
  readonly beta_end: number;
  readonly beta_schedule: 'linear';
  readonly trained_betas: number[];
  readonly variance_type: 'fixed_large' | 'fixed_small';
  readonly clip_sample: boolean;
  readonly prediction_type: 'epsilon' | 'sample' | 'v_prediction';
  readonly thresholding: false;
  readonly dynamic_thresholding_ratio: number;
  readonly clip_sample_range: number;
  readonly sample_max_value: number;
  readonly timestep_spacing: TimestepSpacing;
  readonly steps_offset: number;
  readonly rescale_betas_zero_snr: boolean;
}

const PREDICTION_TYPES = { eps: 'epsilon', x: 'sample', v: 'v_prediction' } as const;

/**
 * The scheduler config of `schedule` discretised into T steps. β and ᾱ are float64 here; diffusers
 * casts `trained_betas` to float32 on load. `beta_start`, `beta_end` and `beta_schedule` are
 * diffusers' defaults, ignored when `trained_betas` is set.
 */
export function diffusersSchedulerConfig(
  schedule: Schedule,
  options: DiffusersConfigOptions = {},
): DiffusersSchedulerConfig {
  const trainSteps = options.trainSteps ?? 1000;
  const spacing = options.spacing ?? 'trailing';
  const stepsOffset = options.stepsOffset ?? 0;
  const predict = options.predict ?? 'eps';
  const variance = options.variance ?? 'large';
  assertInteger('trainSteps', trainSteps, 2);
  assertInteger('stepsOffset', stepsOffset, 0);
  assertInClosedRange('maxBeta', options.maxBeta ?? 0.999, 0, 1);
  if (!TIMESTEP_SPACINGS.includes(spacing)) {
    throw new RangeError(
      `\`spacing\` must be one of ${TIMESTEP_SPACINGS.join(', ')}, got ${JSON.stringify(spacing)}`,
    );
  }
  if (!(predict in PREDICTION_TYPES)) {
    throw new RangeError(`\`predict\` must be 'eps', 'x' or 'v', got ${JSON.stringify(predict)}`);
  }
  if (variance !== 'large' && variance !== 'small') {
    throw new RangeError(
      `\`variance\` must be 'large' or 'small', got ${JSON.stringify(variance)}`,
    );
  }
  const beta = betas(
    schedule,
    trainSteps,
    options.maxBeta === undefined ? {} : { maxBeta: options.maxBeta },
  );
  return {
    _class_name: 'DDPMScheduler',
    _diffusers_version: DIFFUSERS_VERSION,
    num_train_timesteps: trainSteps,
    beta_start: 0.0001,
    beta_end: 0.02,
    beta_schedule: 'linear',
    trained_betas: Array.from(beta),
    variance_type: variance === 'large' ? 'fixed_large' : 'fixed_small',
    clip_sample: options.clipSample ?? true,
    prediction_type: PREDICTION_TYPES[predict],
    thresholding: false,
    dynamic_thresholding_ratio: 0.995,
    clip_sample_range: 1,
    sample_max_value: 1,
    timestep_spacing: spacing,
    steps_offset: stepsOffset,
    rescale_betas_zero_snr: options.zeroTerminalSnr ?? false,
  };
}
