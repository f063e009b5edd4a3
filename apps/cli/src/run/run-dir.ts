/**
 * What `ns train` records in a run directory beyond @ns/trainer's files (run.json: the model
 * configuration and the data set), and how `ns sample` turns a run back into an eval model.
 */
import { existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { decodeSafetensors, type ParamArray } from '@ns/graph';
import type { RinConfig } from '@ns/rin';
import {
  DEFAULT_TRAIN_CONFIG,
  exportEvalModel,
  loadLatestCheckpoint,
  parseDecay,
  rinNet,
  type TrainConfig,
} from '@ns/trainer';

export interface RunConfig extends TrainConfig {
  readonly model: { readonly preset: string; readonly rin: RinConfig };
  readonly data: {
    readonly name: string;
    readonly count: number;
    readonly licence: string;
    readonly flip: boolean;
  };
}

/** The knobs of a run as `ns train` and `ns sweep` take them (flag names, decay as text). */
export type RunSettings = Pick<
  TrainConfig,
  | 'seed'
  | 'batch'
  | 'steps'
  | 'schedule'
  | 'inputScale'
  | 'optimizer'
  | 'lr'
  | 'labelDropout'
  | 'selfCondRate'
  | 'checkpointEvery'
> & {
  readonly warmup: number;
  /** 'cosine@r' or 'constant'. */
  readonly decay: string;
  readonly ema: number;
  /** EMA decay warm-up (default on); see @ns/trainer's TrainConfig.emaWarmup. */
  readonly emaWarmup?: boolean;
  readonly flip: boolean;
};

export function makeRunConfig(
  s: RunSettings,
  model: RunConfig['model'],
  data: { readonly name: string; readonly count: number; readonly licence: string },
): RunConfig {
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
    lrDecay: parseDecay(s.decay),
    emaDecay: s.ema,
    emaWarmup: s.emaWarmup ?? true,
    labelDropout: s.labelDropout,
    selfCondRate: s.selfCondRate,
    checkpointEvery: s.checkpointEvery,
    model,
    data: { name: data.name, count: data.count, licence: data.licence, flip: s.flip },
  };
}

export function readRunConfig(runDir: string): RunConfig {
  const path = join(runDir, 'config.json');
  if (!existsSync(path))
    throw new Error(
      `${runDir} is not a run directory (no config.json); train one with \`ns train\``,
    );
  return JSON.parse(readFileSync(path, 'utf8')) as RunConfig;
}

export type WeightsChoice = 'ema' | 'online';

/** Writes `<runDir>/eval_model.onnx` from the latest checkpoint; returns its path and step. */
export async function exportRunModel(
  runDir: string,
  weights: WeightsChoice = 'ema',
): Promise<{ path: string; step: number }> {
  const config = readRunConfig(runDir);
  const checkpoint = await loadLatestCheckpoint(runDir);
  if (!checkpoint) throw new Error(`${runDir} has no checkpoint yet`);
  const path = join(runDir, weights === 'ema' ? 'eval_model.onnx' : 'eval_model.online.onnx');
  await exportEvalModel(
    path,
    rinNet(config.model.rin),
    config,
    weights === 'ema' ? checkpoint.ema : checkpoint.params,
  );
  return { path, step: checkpoint.step };
}

/**
 * Weights to start a run from: a `.safetensors` file of parameters by name, or a run directory
 * (its latest checkpoint's EMA weights).
 */
export async function loadWeights(path: string): Promise<Map<string, ParamArray>> {
  if (!existsSync(path)) throw new Error(`--init-from: ${path} does not exist`);
  if (statSync(path).isDirectory()) {
    const checkpoint = await loadLatestCheckpoint(path);
    if (!checkpoint) throw new Error(`--init-from: ${path} has no checkpoint`);
    return new Map(checkpoint.ema);
  }
  const { tensors } = decodeSafetensors(readFileSync(path));
  const weights = new Map<string, ParamArray>();
  for (const [name, tensor] of Object.entries(tensors)) {
    if (tensor.dtype === 'int64')
      throw new Error(`--init-from: tensor ${name} in ${path} is int64, expected float`);
    weights.set(name, tensor.data);
  }
  return weights;
}
