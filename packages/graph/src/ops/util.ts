import { type DType, isFloat } from '../dtype.js';
import { GraphError } from '../errors.js';
import type { Graph, Tensor } from '../graph.js';
import { type Dim, formatShape, type Shape, sameShape } from '../shape.js';

/** A tensor operand, or a plain number that becomes a scalar constant of the other operand's dtype. */
export type Operand = Tensor | number;

export function graphOf(op: string, ...xs: Operand[]): Graph {
  const t = xs.find((x): x is Tensor => typeof x !== 'number');
  if (!t) throw new GraphError('invalid_argument', `${op}: at least one operand must be a Tensor`);
  for (const x of xs) if (typeof x !== 'number') t.graph.own(x, op);
  return t.graph;
}

export function lift(g: Graph, x: Operand, dtype: DType): Tensor {
  return typeof x === 'number' ? g.constant(x, dtype) : x;
}

export function requireFloat(op: string, x: Tensor): void {
  if (!isFloat(x.dtype)) {
    throw new GraphError(
      'dtype_mismatch',
      `${op}: expected a float tensor, got ${x.dtype} ${formatShape(x.shape)}`,
    );
  }
}

export function requireSameDtype(op: string, a: Tensor, b: Tensor): void {
  if (a.dtype !== b.dtype) {
    throw new GraphError(
      'dtype_mismatch',
      `${op}: dtypes differ: ${a.dtype}${formatShape(a.shape)} vs ${b.dtype}${formatShape(b.shape)}`,
    );
  }
}

/** Emit a single-output node. */
export function node1(
  g: Graph,
  op: string,
  inputs: readonly (Tensor | null)[],
  shape: Shape,
  dtype: DType,
  attrs: Parameters<Graph['emit']>[3] = {},
): Tensor {
  return g.emit(op, inputs, [{ shape, dtype }], attrs)[0]!;
}

/**
 * Sum a gradient `gy` (shaped like a broadcast result) back to the shape of `x`: the ReduceSum
 * that undoes broadcasting. Untaped; only the backward pass calls it.
 */
export function unbroadcast(gy: Tensor, x: Tensor): Tensor {
  if (sameShape(gy.shape, x.shape)) return gy;
  const g = gy.graph;
  const lead = gy.rank - x.rank;
  const axes: number[] = [];
  for (let i = 0; i < gy.rank; i++) {
    if (i < lead || (x.shape[i - lead] === 1 && gy.shape[i] !== 1)) axes.push(i);
  }
  const kept: Dim[] = gy.shape.map((d, i) => (axes.includes(i) ? 1 : d));
  let r = gy;
  if (axes.length > 0) {
    r = node1(g, 'ReduceSum', [gy, g.constant(axes, 'int64', [axes.length])], kept, gy.dtype, {
      keepdims: { int: 1 },
    });
  }
  if (!sameShape(kept, x.shape))
    r = node1(g, 'Reshape', [r, g.shapeOf(x.shape, x)], x.shape, gy.dtype);
  return r;
}
