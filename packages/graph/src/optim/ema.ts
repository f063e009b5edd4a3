/**
 * Exponential moving average of a shadow copy, every step: ema ← d·ema + (1 − d)·w.
 *
 * With a warm-up the decay of update k (1-based) is d_k = min(decay, (1 + k)/(10 + k)), the
 * common form (TF's ExponentialMovingAverage with num_updates, timm's ModelEma): early shadows
 * follow the weights closely instead of staying ≈ the initialisation for ~1/(1 − decay) steps,
 * which is what makes short runs sample pure noise from their EMA. Without a warm-up d is the
 * constant `decay` (as the paper's 0.9999).
 */
import type { Graph, Tensor } from '../graph.js';
import { add, div, less, mul, sub, where } from '../ops/elementwise.js';
import { cast } from '../ops/movement.js';

export interface EmaUpdate {
  readonly name: string;
  /** Graph input holding the shadow value, named `<param>.ema`. */
  readonly input: Tensor;
  readonly output: Tensor;
}

export interface EmaOptions {
  readonly decay: number;
  /** The 1-based update count (int64 scalar): given, the decay warms up as d_k above. */
  readonly warmupStep?: Tensor;
}

/** The decay d_k = min(decay, (1 + k)/(10 + k)) of update k, as a scalar of `dtype`. */
export function emaWarmupDecay(step: Tensor, decay: number, dtype: Tensor['dtype']): Tensor {
  const k = cast(step, dtype);
  const ramp = div(add(k, 1), add(k, 10));
  return where(less(ramp, decay), ramp, decay);
}

export function emaUpdate(
  graph: Graph,
  values: readonly { name: string; value: Tensor }[],
  options: number | EmaOptions,
): EmaUpdate[] {
  const { decay, warmupStep } = typeof options === 'number' ? { decay: options } : options;
  return graph.untaped(() => {
    const dtype = values[0]?.value.dtype ?? graph.dtype;
    const d = warmupStep === undefined ? decay : emaWarmupDecay(warmupStep, decay, dtype);
    const keep = typeof d === 'number' ? 1 - d : sub(1, d);
    return values.map(({ name, value }) => {
      const input = graph.input(`${name}.ema`, value.shape, value.dtype);
      return { name, input, output: add(mul(input, d), mul(value, keep)) };
    });
  });
}
