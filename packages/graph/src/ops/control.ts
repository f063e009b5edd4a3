/**
 * Control flow: ONNX `Loop` (opset 21 §Loop) with a subgraph body. The body's inputs are
 * (iteration int64 [], condition bool [], ...carried) and its outputs (condition bool [],
 * ...carried', ...scan); the Loop returns the final carried values and each scan output stacked
 * over the iterations. The body may read any value of the enclosing graph by name (ONNX outer
 * scope), which is how per-iteration data reaches it without being carried.
 *
 * Not differentiable: a Loop records no VJP, so gradients do not flow through it. Build the
 * differentiated maths inside the body (see multistep.ts) instead.
 */
import { GraphError } from '../errors.js';
import type { Graph, Tensor } from '../graph.js';
import { type Dim, formatShape } from '../shape.js';

export interface LoopOptions {
  /** Number of iterations, an int64 scalar of the enclosing graph. */
  readonly tripCount: Tensor;
  /** Initial loop-carried values, in the order of the body's carried inputs. */
  readonly carried: readonly Tensor[];
  /** The body graph; its names must differ from every name of the enclosing graph. */
  readonly body: Graph;
  /** The leading dimension of the scan outputs (the trip count, as a symbol or number). */
  readonly iterations: Dim;
}

export interface LoopResult {
  /** The carried values after the last iteration. */
  readonly carried: Tensor[];
  /** Each body scan output stacked over the iterations: [iterations, ...shape]. */
  readonly scans: Tensor[];
}

const same = (a: Tensor, b: Tensor) =>
  a.dtype === b.dtype && formatShape(a.shape) === formatShape(b.shape);

export function loop(g: Graph, o: LoopOptions): LoopResult {
  const { body, carried, tripCount } = o;
  g.own(tripCount, 'Loop');
  if (tripCount.dtype !== 'int64' || tripCount.rank !== 0) {
    throw new GraphError(
      'shape_mismatch',
      `Loop: tripCount must be int64[], got ${tripCount.dtype}${formatShape(tripCount.shape)}`,
    );
  }
  const n = carried.length;
  if (body.inputs.length !== n + 2 || body.outputs.length < n + 1) {
    throw new GraphError(
      'invalid_argument',
      `Loop: a body for ${n} carried values needs ${n + 2} inputs and at least ${n + 1} outputs, got ${body.inputs.length} and ${body.outputs.length}`,
    );
  }
  const [iteration, condIn] = body.inputs as [Tensor, Tensor];
  const condOut = body.outputs[0]!;
  if (iteration.dtype !== 'int64' || iteration.rank !== 0)
    throw new GraphError('shape_mismatch', `Loop: body input 0 must be int64[], got ${iteration}`);
  for (const c of [condIn, condOut]) {
    if (c.dtype !== 'bool' || c.rank !== 0)
      throw new GraphError('shape_mismatch', `Loop: body condition must be bool[], got ${c}`);
  }
  carried.forEach((init, i) => {
    const input = body.inputs[i + 2]!;
    const next = body.outputs[i + 1]!;
    if (!same(init, input) || !same(init, next)) {
      throw new GraphError(
        'shape_mismatch',
        `Loop: carried value ${i} is ${init} but the body takes ${input} and returns ${next}`,
      );
    }
  });
  const scanOutputs = body.outputs.slice(n + 1);
  const outs = g.emit(
    'Loop',
    [tripCount, null, ...carried],
    [
      ...carried.map((t) => ({ shape: t.shape, dtype: t.dtype })),
      ...scanOutputs.map((t) => ({ shape: [o.iterations, ...t.shape], dtype: t.dtype })),
    ],
    { body: { graph: body } },
  );
  return { carried: outs.slice(0, n), scans: outs.slice(n) };
}
