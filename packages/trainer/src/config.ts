/** Everything a run needs to be reproduced, saved as the run's config.json. */
import { parseSchedule } from '@ns/schedules';
import { type LrDecay, parseDecay } from './lr.js';

export interface TrainConfig {
  readonly seed: number;
  readonly batch: number;
  /** Total number of updates of the run (the LR schedule is laid out over these). */
  readonly steps: number;
  /** Training schedule spec (any @ns/schedules spec, e.g. `simple_linear`, `sigmoid@-3,3,0.9`). */
  readonly schedule: string;
  /** Input scale b. */
  readonly inputScale: number;
  readonly optimizer: 'lamb' | 'adamw';
  readonly lr: number;
  readonly warmupSteps: number;
  readonly lrDecay: LrDecay;
  readonly weightDecay: number;
  readonly beta1: number;
  readonly beta2: number;
  /** Global-norm clipping; undefined = none (as the reference, whose LAMB ignores `global_clipnorm`). */
  readonly clipNorm?: number;
  readonly emaDecay: number;
  /**
   * Warm the EMA decay up as min(emaDecay, (1 + k)/(10 + k)) at update k, so short runs sample
   * from a trained average instead of the initialisation. Absent in configs written before it
   * existed: those runs continue without it.
   */
  readonly emaWarmup?: boolean;
  readonly selfCondRate: number;
  readonly labelDropout: number;
  readonly checkpointEvery: number;
  /** Network and data descriptions, for the record (the CLI fills them). */
  readonly model?: unknown;
  readonly data?: unknown;
}

/** The paper's settings (Table 2, §3.7) scaled to small runs. */
export const DEFAULT_TRAIN_CONFIG: Omit<TrainConfig, 'steps' | 'batch'> = {
  seed: 0,
  schedule: 'simple_linear',
  inputScale: 1,
  optimizer: 'lamb',
  lr: 2e-3,
  warmupSteps: 0,
  lrDecay: 'cosine@0.7',
  weightDecay: 0.01,
  beta1: 0.9,
  beta2: 0.999,
  emaDecay: 0.9999,
  emaWarmup: true,
  selfCondRate: 0.9,
  labelDropout: 0,
  checkpointEvery: 500,
};

function check(condition: boolean, message: string): void {
  if (!condition) throw new RangeError(message);
}

/** Validates a config (e.g. read back from config.json); throws a RangeError naming the key. */
export function validateTrainConfig(c: TrainConfig): TrainConfig {
  const int = (v: number, min: number) => Number.isInteger(v) && v >= min;
  check(int(c.seed, 0), `config.seed must be an integer >= 0, got ${c.seed}`);
  check(int(c.batch, 1), `config.batch must be an integer >= 1, got ${c.batch}`);
  check(int(c.steps, 1), `config.steps must be an integer >= 1, got ${c.steps}`);
  parseSchedule(c.schedule);
  check(
    c.inputScale > 0 && Number.isFinite(c.inputScale),
    `config.inputScale must be > 0, got ${c.inputScale}`,
  );
  check(
    c.optimizer === 'lamb' || c.optimizer === 'adamw',
    `config.optimizer must be 'lamb' or 'adamw', got ${JSON.stringify(c.optimizer)}`,
  );
  check(c.lr > 0 && Number.isFinite(c.lr), `config.lr must be > 0, got ${c.lr}`);
  check(int(c.warmupSteps, 0), `config.warmupSteps must be an integer >= 0, got ${c.warmupSteps}`);
  parseDecay(c.lrDecay);
  check(c.weightDecay >= 0, `config.weightDecay must be >= 0, got ${c.weightDecay}`);
  check(
    c.beta1 >= 0 && c.beta1 < 1 && c.beta2 >= 0 && c.beta2 < 1,
    `config.beta1/beta2 must be in [0, 1), got ${c.beta1}, ${c.beta2}`,
  );
  check(
    c.clipNorm === undefined || c.clipNorm > 0,
    `config.clipNorm must be > 0 when given, got ${c.clipNorm}`,
  );
  check(c.emaDecay >= 0 && c.emaDecay < 1, `config.emaDecay must be in [0, 1), got ${c.emaDecay}`);
  check(
    c.emaWarmup === undefined || typeof c.emaWarmup === 'boolean',
    `config.emaWarmup must be true or false, got ${JSON.stringify(c.emaWarmup)}`,
  );
  check(
    c.selfCondRate >= 0 && c.selfCondRate <= 1,
    `config.selfCondRate must be in [0, 1], got ${c.selfCondRate}`,
  );
  check(
    c.labelDropout >= 0 && c.labelDropout <= 1,
    `config.labelDropout must be in [0, 1], got ${c.labelDropout}`,
  );
  check(
    int(c.checkpointEvery, 1),
    `config.checkpointEvery must be an integer >= 1, got ${c.checkpointEvery}`,
  );
  return c;
}
