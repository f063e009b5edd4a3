/**
 * The knobs of a run as people write them (`ns train` flags, a sweep grid's `train` block) and
 * the run configuration they make: one mapping, used by the CLI and the sweep alike.
 */
import type { Dataset } from '@ns/data';
import { DEFAULT_TRAIN_CONFIG, type ModelConfig, type NewRunConfig } from './config.js';

export interface RunSettings {
  readonly seed: number;
  readonly batch: number;
  readonly steps: number;
  readonly schedule: string;
  /** Input scale b. */
  readonly inputScale: number;
  readonly optimizer: 'lamb' | 'adamw';
  readonly lr: number;
  /** Linear warm-up steps. */
  readonly warmup: number;
  /** 'cosine@r' or 'constant'. */
  readonly decay: string;
  /** EMA decay. */
  readonly ema: number;
  /** EMA decay warm-up (default on). */
  readonly emaWarmup?: boolean;
  readonly labelDropout: number;
  readonly selfCondRate: number;
  readonly checkpointEvery: number;
  readonly flip: boolean;
  readonly clipNorm?: number;
  readonly weightDecay?: number;
  /** Loss weighting spec (default eps). */
  readonly weighting?: string;
}

/** Where the data came from, as the run records it (so `--resume` can load it again). */
export interface DataSource {
  readonly dataset: Pick<Dataset, 'name' | 'count' | 'licence'>;
  /** The `--data` argument when it differs from the data set's own name (a path). */
  readonly name?: string;
  readonly size?: number;
  readonly limit?: number;
}

export function runConfigFromSettings(
  s: RunSettings,
  model: ModelConfig,
  data: DataSource,
): NewRunConfig {
  return {
    ...DEFAULT_TRAIN_CONFIG,
    seed: s.seed,
    batch: s.batch,
    steps: s.steps,
    schedule: s.schedule,
    inputScale: s.inputScale,
    optimizer: s.optimizer,
    lr: s.lr,
    warmupSteps: s.warmup,
    lrDecay: s.decay,
    emaDecay: s.ema,
    emaWarmup: s.emaWarmup ?? true,
    labelDropout: s.labelDropout,
    selfCondRate: s.selfCondRate,
    checkpointEvery: s.checkpointEvery,
    ...(s.clipNorm === undefined ? {} : { clipNorm: s.clipNorm }),
    ...(s.weightDecay === undefined ? {} : { weightDecay: s.weightDecay }),
    ...(s.weighting === undefined ? {} : { weighting: s.weighting }),
    model,
    data: {
      name: data.name ?? data.dataset.name,
      count: data.dataset.count,
      licence: data.dataset.licence,
      flip: s.flip,
      ...(data.size === undefined ? {} : { size: data.size }),
      ...(data.limit === undefined ? {} : { limit: data.limit }),
    },
  };
}
