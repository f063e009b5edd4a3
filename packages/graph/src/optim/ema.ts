/** Exponential moving average of a shadow copy: ema ← decay·ema + (1−decay)·w, every step. */
import type { Graph, Tensor } from '../graph.js';
import { add, mul } from '../ops/elementwise.js';

export interface EmaUpdate {
  readonly name: string;
  /** Graph input holding the shadow value, named `<param>.ema`. */
  readonly input: Tensor;
  readonly output: Tensor;
}

export function emaUpdate(
  graph: Graph,
  values: readonly { name: string; value: Tensor }[],
  decay: number,
): EmaUpdate[] {
  return graph.untaped(() =>
    values.map(({ name, value }) => {
      const input = graph.input(`${name}.ema`, value.shape, value.dtype);
      return { name, input, output: add(mul(input, decay), mul(value, 1 - decay)) };
    }),
  );
}
