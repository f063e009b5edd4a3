/** Reductions. The VJP broadcasts the upstream gradient back over the reduced axes. */
import type { Tensor } from '../graph.js';
import { type Dim, normAxis } from '../shape.js';
import { div, mul } from './elementwise.js';
import { cast, reshape } from './movement.js';
import { node1, requireFloat } from './util.js';

function reduceRule(op: string, x: Tensor, axes: readonly number[] | undefined, keepdims: boolean) {
  const ax = [
    ...new Set((axes ?? x.shape.map((_, i) => i)).map((a) => normAxis(op, a, x.rank))),
  ].sort((a, b) => a - b);
  const kept: Dim[] = x.shape.map((d, i) => (ax.includes(i) ? 1 : d));
  const shape = keepdims ? kept : x.shape.filter((_, i) => !ax.includes(i));
  return { ax, kept, shape };
}

function reduce(
  op: 'ReduceSum' | 'ReduceMean',
  x: Tensor,
  axes: readonly number[] | undefined,
  keepdims: boolean,
): Tensor {
  requireFloat(op, x);
  const g = x.graph;
  const { ax, kept, shape } = reduceRule(op, x, axes, keepdims);
  const y = node1(g, op, [x, g.constant(ax, 'int64', [ax.length])], shape, x.dtype, {
    keepdims: { int: keepdims ? 1 : 0 },
  });
  g.record([x], [y], ([gy]) => {
    const gk = keepdims ? gy! : reshape(gy!, kept);
    let gx = node1(g, 'Expand', [gk, g.shapeOf(x.shape, x)], x.shape, x.dtype);
    if (op === 'ReduceMean') gx = div(gx, count(x, ax));
    return [gx];
  });
  return y;
}

/** Number of reduced elements, static when the reduced dims are, else computed at run time. */
function count(x: Tensor, ax: readonly number[]): Tensor | number {
  const dims = ax.map((a) => x.shape[a]!);
  if (dims.every((d): d is number => typeof d === 'number')) return dims.reduce((a, b) => a * b, 1);
  const g = x.graph;
  const shape = node1(g, 'Shape', [x], [x.rank], 'int64');
  const picked = node1(
    g,
    'Gather',
    [shape, g.constant(ax, 'int64', [ax.length])],
    [ax.length],
    'int64',
  );
  const n = node1(g, 'ReduceProd', [picked], [], 'int64', { keepdims: { int: 0 } });
  return cast(n, x.dtype);
}

export function reduceSum(x: Tensor, axes?: readonly number[], keepdims = false): Tensor {
  return reduce('ReduceSum', x, axes, keepdims);
}

export function reduceMean(x: Tensor, axes?: readonly number[], keepdims = false): Tensor {
  return reduce('ReduceMean', x, axes, keepdims);
}

/**
 * Mean of squares of all elements (the MSE loss), with a fused VJP 2x·g/n: a broadcast scalar
 * multiply instead of Expand-ing the upstream gradient to x's shape (which ORT would also
 * constant-fold into a tensor as large as x).
 */
export function meanSquare(x: Tensor): Tensor {
  requireFloat('meanSquare', x);
  const g = x.graph;
  const all = x.shape.map((_, i) => i);
  const y = g.untaped(() => reduceMean(mul(x, x), all));
  g.record([x], [y], ([gy]) => {
    const n = count(x, all);
    return [mul(x, typeof n === 'number' ? mul(gy!, 2 / n) : div(mul(gy!, 2), n))];
  });
  return y;
}
