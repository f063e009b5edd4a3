/**
 * `eval_model.onnx` for given weights: the forward pass with every parameter frozen in as an
 * initializer, the batch dimension symbolic. Inputs `x`, `gamma` (+ `labels`, `labelMask` when
 * conditional, + `latentsPrev` with latent self-conditioning); outputs `prediction`, `latents`.
 */
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  buildEvalGraph,
  type ParamArray,
  type Params,
  type SerializedModel,
  serialize,
} from '@ns/graph';
import type { RinConfig } from './config.js';
import { RinError } from './errors.js';
import { rin } from './model.js';

/** Weights by parameter name: a registry, or plain arrays (e.g. a checkpoint's or EMA values). */
export type Weights = Params | ReadonlyMap<string, ArrayLike<number>>;

export interface ExportOptions {
  /** Float type of the exported model (default float32). */
  readonly dtype?: 'float32' | 'float64';
  /** Initializers above this many bytes go to `eval_model.onnx.data` (default 1.5 GiB). */
  readonly externalDataThreshold?: number;
}

function isParams(w: Weights): w is Params {
  return typeof (w as Params).list === 'function';
}

/** A registry for `config` holding exactly `weights` (every parameter, shapes checked). */
export function paramsFromWeights(
  config: RinConfig,
  weights: Weights,
  dtype: 'float32' | 'float64' = 'float32',
): Params {
  const params = rin(config).createParams({ dtype });
  const names = params.list().map((s) => s.name);
  const have = isParams(weights) ? weights.list().map((s) => s.name) : [...weights.keys()];
  const missing = names.filter((n) => !have.includes(n));
  const extra = have.filter((n) => !names.includes(n));
  if (missing.length > 0 || extra.length > 0) {
    throw new RinError(
      'invalid_weights',
      `weights do not fit the config: missing [${missing.join(', ')}], unexpected [${extra.join(', ')}]`,
    );
  }
  for (const n of names) {
    const value: ArrayLike<number> | ParamArray = isParams(weights)
      ? weights.value(n)
      : weights.get(n)!;
    const want = params.value(n).length;
    if (value.length !== want) {
      throw new RinError(
        'invalid_weights',
        `weights: '${n}' needs ${want} values for shape [${params.spec(n).shape}], got ${value.length}`,
      );
    }
    params.set(n, value);
  }
  return params;
}

/** The serialised eval model (and its external data when the weights are large). */
export function evalModel(
  config: RinConfig,
  weights: Weights,
  options: ExportOptions = {},
): SerializedModel {
  const params = paramsFromWeights(config, weights, options.dtype ?? 'float32');
  return serialize(buildEvalGraph(rin(config).definition(), params), {
    externalDataThreshold: options.externalDataThreshold,
    externalDataFile: 'eval_model.onnx.data',
    producerName: '@ns/rin',
  });
}

/** Write `dir/eval_model.onnx` (+ `eval_model.onnx.data` past the threshold); returns the paths. */
export async function exportEvalModel(
  config: RinConfig,
  weights: Weights,
  dir: string,
  options: ExportOptions = {},
): Promise<{ model: string; externalData?: string }> {
  const { model, externalData } = evalModel(config, weights, options);
  await mkdir(dir, { recursive: true });
  const path = join(dir, 'eval_model.onnx');
  await writeFile(path, model);
  if (!externalData) return { model: path };
  const data = join(dir, externalData.file);
  await writeFile(data, externalData.bytes);
  return { model: path, externalData: data };
}
