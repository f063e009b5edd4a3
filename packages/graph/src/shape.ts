import { GraphError } from './errors.js';

/** One dimension: a static size, or a symbolic name (e.g. `'batch'`) fixed only at run time. */
export type Dim = number | string;
export type Shape = readonly Dim[];

export function formatShape(s: Shape): string {
  return `[${s.join(', ')}]`;
}

export function isStatic(s: Shape): s is readonly number[] {
  return s.every((d) => typeof d === 'number');
}

export function sameShape(a: Shape, b: Shape): boolean {
  return a.length === b.length && a.every((d, i) => d === b[i]);
}

/** Number of elements; throws when a dimension is symbolic. */
export function numel(s: Shape, what = 'tensor'): number {
  if (!isStatic(s)) {
    throw new GraphError('shape_mismatch', `${what}: size of ${formatShape(s)} is not static`);
  }
  return s.reduce((a, b) => a * b, 1);
}

/** Normalise a possibly negative axis against `rank`, naming the op on failure. */
export function normAxis(op: string, axis: number, rank: number): number {
  const a = axis < 0 ? axis + rank : axis;
  if (!Number.isInteger(axis) || a < 0 || a >= rank) {
    throw new GraphError(
      'invalid_argument',
      `${op}: axis ${axis} is out of range for rank ${rank}`,
    );
  }
  return a;
}

/** NumPy broadcasting of two shapes; symbolic dims broadcast only against themselves or 1. */
export function broadcastShapes(op: string, a: Shape, b: Shape): Dim[] {
  const n = Math.max(a.length, b.length);
  const out: Dim[] = [];
  for (let i = 0; i < n; i++) {
    const x = a[a.length - n + i] ?? 1;
    const y = b[b.length - n + i] ?? 1;
    if (x === y || y === 1) out.push(x);
    else if (x === 1) out.push(y);
    else {
      throw new GraphError(
        'shape_mismatch',
        `${op}: shapes ${formatShape(a)} and ${formatShape(b)} do not broadcast (dim ${i}: ${x} vs ${y})`,
      );
    }
  }
  return out;
}
