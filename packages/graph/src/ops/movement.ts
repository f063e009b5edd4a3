/** Shape-moving ops: Reshape, Transpose, Concat, Slice, Expand, Gather, Cast. */
import { type DType, isFloat } from '../dtype.js';
import { GraphError } from '../errors.js';
import type { Graph, Tensor } from '../graph.js';
import {
  broadcastShapes,
  type Dim,
  formatShape,
  normAxis,
  type Shape,
  sameShape,
} from '../shape.js';
import { add, equal } from './elementwise.js';
import { node1, unbroadcast } from './util.js';

interface SymProduct {
  coef: number;
  syms: Map<string, number>;
}
/** Symbolic dims may be products written 'c*a*b' (e.g. '4*batch' after flattening). */
function product(dims: readonly Dim[]): SymProduct {
  const p: SymProduct = { coef: 1, syms: new Map() };
  for (const d of dims) {
    if (typeof d === 'number') p.coef *= d;
    else {
      for (const part of d.split('*')) {
        if (/^\d+$/.test(part)) p.coef *= Number(part);
        else p.syms.set(part, (p.syms.get(part) ?? 0) + 1);
      }
    }
  }
  return p;
}

/** Canonical name of a symbolic product: 'batch', or '4*batch', symbols sorted. */
function symbolName(p: SymProduct): string {
  const syms = [...p.syms.entries()]
    .sort(([a], [b]) => (a < b ? -1 : 1))
    .flatMap(([s, n]) => Array<string>(n).fill(s));
  return (p.coef === 1 ? syms : [String(p.coef), ...syms]).join('*');
}

/**
 * Shape rule of Reshape. Target dims are sizes, -1 (inferred) or symbolic names. A symbolic name at
 * the same position as in the input is emitted as 0 ("copy"), any other unknown as the single -1.
 */
export function reshapeRule(x: Shape, target: readonly Dim[]): { shape: Dim[]; onnx: number[] } {
  const fail = (why: string): never => {
    throw new GraphError(
      'shape_mismatch',
      `Reshape: cannot reshape ${formatShape(x)} to ${formatShape(target)}: ${why}`,
    );
  };
  const onnx: number[] = [];
  let inferredAt = -1;
  const known: Dim[] = [];
  target.forEach((d, i) => {
    if (d === -1 || (typeof d === 'string' && x[i] !== d)) {
      if (inferredAt >= 0) fail('more than one dimension to infer');
      inferredAt = i;
      onnx.push(-1);
    } else if (typeof d === 'string') {
      onnx.push(0);
      known.push(d);
    } else {
      if (!Number.isInteger(d) || d < 1) fail(`bad dim ${d}`);
      onnx.push(d);
      known.push(d);
    }
  });
  const have = product(x);
  const want = product(known);
  if (have.coef % want.coef !== 0) fail('sizes differ');
  const rest: SymProduct = { coef: have.coef / want.coef, syms: new Map(have.syms) };
  for (const [s, n] of want.syms) {
    const left = (rest.syms.get(s) ?? 0) - n;
    if (left < 0) fail(`symbol '${s}' not in input`);
    if (left === 0) rest.syms.delete(s);
    else rest.syms.set(s, left);
  }
  const shape = [...target];
  if (inferredAt < 0) {
    if (rest.coef !== 1 || rest.syms.size > 0) fail('sizes differ');
  } else {
    const t = target[inferredAt]!;
    if (rest.syms.size === 0) {
      if (typeof t === 'string') fail(`'${t}' would be the static size ${rest.coef}`);
      shape[inferredAt] = rest.coef;
    } else {
      const s = symbolName(rest);
      if (typeof t === 'string' && symbolName(product([t])) !== s)
        fail(`inferred dim is '${s}', not '${t}'`);
      shape[inferredAt] = s;
    }
  }
  return { shape, onnx };
}

export function reshape(x: Tensor, target: readonly Dim[]): Tensor {
  const g = x.graph;
  const { shape, onnx } = reshapeRule(x.shape, target);
  const y = node1(g, 'Reshape', [x, g.constant(onnx, 'int64', [onnx.length])], shape, x.dtype);
  g.record([x], [y], ([gy]) => [reshapeLike(gy!, x)]);
  return y;
}

/** Reshape `t` to the shape of `like` (dynamic Shape(like) when symbolic). Untaped helper. */
export function reshapeLike(t: Tensor, like: Tensor): Tensor {
  return node1(t.graph, 'Reshape', [t, t.graph.shapeOf(like.shape, like)], like.shape, t.dtype);
}

export function transpose(x: Tensor, perm?: readonly number[]): Tensor {
  const p = perm ?? x.shape.map((_, i) => x.rank - 1 - i);
  const sorted = [...p].sort((a, b) => a - b);
  if (p.length !== x.rank || sorted.some((v, i) => v !== i)) {
    throw new GraphError(
      'invalid_argument',
      `Transpose: perm [${p}] is not a permutation of rank ${x.rank} (${formatShape(x.shape)})`,
    );
  }
  const y = node1(
    x.graph,
    'Transpose',
    [x],
    p.map((i) => x.shape[i]!),
    x.dtype,
    { perm: { ints: p } },
  );
  const inverse = p.map((_, i) => p.indexOf(i));
  x.graph.record([x], [y], ([gy]) => [transpose(gy!, inverse)]);
  return y;
}

/** Swap the last two axes. */
export function transposeLast2(x: Tensor): Tensor {
  const p = x.shape.map((_, i) => i);
  p[x.rank - 2] = x.rank - 1;
  p[x.rank - 1] = x.rank - 2;
  return transpose(x, p);
}

export function concat(xs: readonly Tensor[], axis: number): Tensor {
  if (xs.length === 0)
    throw new GraphError('invalid_argument', 'Concat: needs at least one tensor');
  const first = xs[0]!;
  const g = first.graph;
  const ax = normAxis('Concat', axis, first.rank);
  let size = 0;
  for (const x of xs) {
    g.own(x, 'Concat');
    const d = x.shape[ax];
    const ok =
      x.dtype === first.dtype &&
      x.rank === first.rank &&
      x.shape.every((v, i) => i === ax || v === first.shape[i]);
    if (!ok || typeof d !== 'number') {
      throw new GraphError(
        'shape_mismatch',
        `Concat(axis=${axis}): ${first.dtype}${formatShape(first.shape)} and ${x.dtype}${formatShape(x.shape)} do not match off the axis (or the axis is symbolic)`,
      );
    }
    size += d;
  }
  const shape = first.shape.map((d, i) => (i === ax ? size : d));
  const y = node1(g, 'Concat', xs, shape, first.dtype, { axis: { int: ax } });
  g.record(xs, [y], ([gy], needs) => {
    const sizes = xs.map((x) => x.shape[ax] as number);
    const parts = g.emit(
      'Split',
      [gy!, g.constant(sizes, 'int64', [sizes.length])],
      xs.map((x) => ({ shape: x.shape, dtype: x.dtype })),
      { axis: { int: ax } },
    );
    return parts.map((p, i) => (needs[i] ? p : null));
  });
  return y;
}

/** Static slice with unit steps: `starts`/`ends` per listed axis, clamped like NumPy. */
export function slice(
  x: Tensor,
  starts: readonly number[],
  ends: readonly number[],
  axes?: readonly number[],
): Tensor {
  const g = x.graph;
  const ax = (axes ?? starts.map((_, i) => i)).map((a) => normAxis('Slice', a, x.rank));
  if (starts.length !== ax.length || ends.length !== ax.length) {
    throw new GraphError(
      'invalid_argument',
      `Slice: starts [${starts}], ends [${ends}] and axes [${ax}] differ in length`,
    );
  }
  const shape = [...x.shape];
  const lo: number[] = [];
  const hi: number[] = [];
  ax.forEach((a, k) => {
    const d = x.shape[a];
    if (typeof d !== 'number') {
      throw new GraphError(
        'shape_mismatch',
        `Slice: axis ${a} of ${formatShape(x.shape)} is symbolic`,
      );
    }
    const clamp = (v: number) => Math.min(Math.max(v < 0 ? v + d : v, 0), d);
    const s = clamp(starts[k]!);
    const e = Math.max(clamp(ends[k]!), s);
    lo.push(s);
    hi.push(e);
    shape[a] = e - s;
  });
  const y = node1(
    g,
    'Slice',
    [
      x,
      g.constant(lo, 'int64', [lo.length]),
      g.constant(hi, 'int64', [hi.length]),
      g.constant(ax, 'int64', [ax.length]),
    ],
    shape,
    x.dtype,
  );
  g.record([x], [y], ([gy]) => {
    // Pad the gradient with zeros back to the input extent.
    const pads = new Array<number>(2 * x.rank).fill(0);
    ax.forEach((a, k) => {
      pads[a] = lo[k]!;
      pads[x.rank + a] = (x.shape[a] as number) - hi[k]!;
    });
    return [node1(g, 'Pad', [gy!, g.constant(pads, 'int64', [pads.length])], x.shape, x.dtype)];
  });
  return y;
}

/**
 * Broadcast `x` to `shape` (NumPy rules). Symbolic dims of `shape` are read at run time from
 * `like`, a tensor that has the same symbol somewhere in its shape.
 */
export function expand(x: Tensor, shape: readonly Dim[], like?: Tensor): Tensor {
  const g = x.graph;
  if (like) g.own(like, 'Expand');
  const out = broadcastShapes('Expand', x.shape, shape);
  const y = node1(
    g,
    'Expand',
    [x, g.untaped(() => shapeTensor(g, 'Expand', shape, like))],
    out,
    x.dtype,
  );
  g.record([x], [y], ([gy]) => [unbroadcast(gy!, x)]);
  return y;
}

/** Broadcast `x` to the shape of `like` (symbolic dims included). */
export function expandAs(x: Tensor, like: Tensor): Tensor {
  return expand(x, like.shape, like);
}

/** int64 shape tensor of `shape`: a constant when static, else assembled from Shape(like). */
function shapeTensor(g: Graph, op: string, shape: readonly Dim[], like?: Tensor): Tensor {
  if (shape.every((d) => typeof d === 'number')) return g.shapeOf(shape);
  if (like && sameShape(shape, like.shape)) return g.shapeOf(shape, like);
  if (!like) {
    throw new GraphError(
      'shape_mismatch',
      `${op}: target ${formatShape(shape)} has symbolic dims; pass a tensor that carries them`,
    );
  }
  const full = node1(g, 'Shape', [like], [like.rank], 'int64');
  const pieces = shape.map((d) => {
    if (typeof d === 'number') return g.constant([d], 'int64', [1]);
    const at = like.shape.indexOf(d);
    if (at < 0) {
      throw new GraphError(
        'shape_mismatch',
        `${op}: symbol '${d}' of ${formatShape(shape)} is not in ${formatShape(like.shape)}`,
      );
    }
    return node1(
      g,
      'Slice',
      [full, g.constant([at], 'int64', [1]), g.constant([at + 1], 'int64', [1])],
      [1],
      'int64',
    );
  });
  return node1(g, 'Concat', pieces, [shape.length], 'int64', { axis: { int: 0 } });
}

/**
 * Gather along `axis` (default 0) with int64 indices. Result shape:
 * data[:axis] + indices + data[axis+1:]. The data gradient is a one-hot product (scatter-add made
 * of Equal, Cast and Gemm), which every execution provider has.
 */
export function gather(data: Tensor, indices: Tensor, axis = 0): Tensor {
  const g = data.graph;
  g.own(indices, 'Gather');
  if (indices.dtype !== 'int64') {
    throw new GraphError(
      'dtype_mismatch',
      `Gather: indices must be int64, got ${indices.dtype}${formatShape(indices.shape)}`,
    );
  }
  const ax = normAxis('Gather', axis, data.rank);
  const shape = [...data.shape.slice(0, ax), ...indices.shape, ...data.shape.slice(ax + 1)];
  const y = node1(g, 'Gather', [data, indices], shape, data.dtype, { axis: { int: ax } });
  g.record([data, indices], [y], ([gy], needs) => {
    if (!needs[0] || !isFloat(data.dtype)) return [null, null];
    const n = data.shape[ax];
    if (typeof n !== 'number')
      throw new GraphError(
        'shape_mismatch',
        `Gather VJP: axis ${ax} of ${formatShape(data.shape)} is symbolic`,
      );
    // Move the gathered axes to the front: gy → [N, rest], data → [n, rest].
    const idxRank = indices.rank;
    const perm = [
      ...Array.from({ length: idxRank }, (_, i) => ax + i),
      ...Array.from({ length: ax }, (_, i) => i),
      ...Array.from({ length: gy!.rank - ax - idxRank }, (_, i) => ax + idxRank + i),
    ];
    const moved = perm.every((p, i) => p === i) ? gy! : transpose(gy!, perm);
    const rest = moved.shape.slice(idxRank);
    const restSize = rest.reduce<number>((a, d) => a * (d as number), 1);
    const g2 = reshape(moved, [-1, restSize]);
    const flatIdx = reshape(indices, [-1, 1]);
    const range = g.constant(
      Array.from({ length: n }, (_, i) => i),
      'int64',
      [1, n],
    );
    const onehot = cast(equal(flatIdx, range), data.dtype); // [N, n]
    const gd2 = node1(g, 'Gemm', [onehot, g2], [n, restSize], data.dtype, { transA: { int: 1 } });
    // [n, rest...] back to data's axis order
    const gdMoved = reshape(gd2, [n, ...rest]);
    const back = [
      ...Array.from({ length: ax }, (_, i) => i + 1),
      0,
      ...Array.from({ length: data.rank - ax - 1 }, (_, i) => ax + 1 + i),
    ];
    return [back.every((p, i) => p === i) ? gdMoved : transpose(gdMoved, back), null];
  });
  return y;
}

/** Convert element type. Float↔float casts pass the gradient through (cast back). */
export function cast(x: Tensor, dtype: DType): Tensor {
  const g = x.graph;
  const onnxTo = { float32: 1, int64: 7, bool: 9, float64: 11 }[dtype];
  const y = node1(g, 'Cast', [x], x.shape, dtype, { to: { int: onnxTo } });
  if (isFloat(x.dtype) && isFloat(dtype)) g.record([x], [y], ([gy]) => [cast(gy!, x.dtype)]);
  return y;
}

/** Sum of tensors of one shape (used by grad to accumulate). */
export function addAll(ts: readonly Tensor[]): Tensor {
  return ts.reduce((a, b) => add(a, b));
}
