/**
 * Weights for a RIN config: a parameter registry filled from plain arrays (a checkpoint's or EMA
 * values), every name and size checked against the config. The eval model itself is written by
 * @ns/trainer once per run (eval_model.onnx, weights bound to a checkpoint file).
 */
import type { ParamArray, Params } from '@ns/graph';
import type { RinConfig } from './config.js';
import { RinError } from './errors.js';
import { rin } from './model.js';

/** Weights by parameter name: a registry, or plain arrays (e.g. a checkpoint's or EMA values). */
export type Weights = Params | ReadonlyMap<string, ArrayLike<number>>;

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
