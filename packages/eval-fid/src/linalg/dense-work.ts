import type { BandChase, MatrixProducts, Product } from '../products.js';
import { bandToTridiagonal } from './band-tridiagonal.js';
import { addRowDots } from './row-dots.js';

/**
 * A computation that hands its heavy steps out: each `yield` gives a Product (and receives its
 * result) or a BandChase (and receives the chased band's storage). Written once, it runs
 * synchronously on the pure-JS kernels (runDense) or asynchronously on a faster engine such as
 * onnxruntime with a pool of chase threads (runDenseAsync), with the same arithmetic around it.
 */
export type DenseWork<T> = Generator<Product | BandChase, T, Float64Array>;

export function runDense<T>(work: DenseWork<T>): T {
  let step = work.next();
  while (!step.done) step = work.next(runStep(step.value));
  return step.value;
}

export async function runDenseAsync<T>(work: DenseWork<T>, engine: MatrixProducts): Promise<T> {
  let step = work.next();
  while (!step.done) {
    const item = step.value;
    if (!isChase(item)) step = work.next(await engine.product(item));
    else if (engine.chase === undefined) step = work.next(runStep(item));
    else {
      await engine.chase(item.chase);
      step = work.next(item.chase.data);
    }
  }
  return step.value;
}

function isChase(item: Product | BandChase): item is BandChase {
  return 'chase' in item;
}

/** One step on the pure-JS kernels. */
function runStep(item: Product | BandChase): Float64Array {
  if (!isChase(item)) return jsProduct(item);
  bandToTridiagonal(item.chase);
  return item.chase.data;
}

/** A Product on the pure-JS row-dot kernel (one thread). */
export function jsProduct(p: Product): Float64Array {
  const { m, n, k } = p;
  // the kernel wants both operands with k contiguous: transpose a plain B first
  const bt = p.transposeB ? p.b : transpose(p.b, k, n);
  const c = p.into ?? new Float64Array(m * n);
  if (p.into) c.fill(0, 0, m * n);
  addRowDots(p.a, m, bt, n, k, c, { upperOnly: p.symmetric !== undefined });
  if (p.symmetric === 'full') mirrorUpper(c, n);
  if (p.from !== undefined) {
    const f = p.from;
    for (let i = 0; i < c.length; i++) c[i] = f[i]! - c[i]!;
  }
  return c;
}

/** Bᵀ (cols × rows) of row-major B (rows × cols), in cache-sized tiles. */
export function transpose(b: Float64Array, rows: number, cols: number): Float64Array {
  const t = new Float64Array(rows * cols);
  const TILE = 32;
  for (let i0 = 0; i0 < rows; i0 += TILE) {
    const i1 = Math.min(rows, i0 + TILE);
    for (let j0 = 0; j0 < cols; j0 += TILE) {
      const j1 = Math.min(cols, j0 + TILE);
      for (let i = i0; i < i1; i++) {
        for (let j = j0; j < j1; j++) t[j * rows + i] = b[i * cols + j]!;
      }
    }
  }
  return t;
}

/** Copies the upper triangle of square C onto its lower triangle, in tiles. */
export function mirrorUpper(c: Float64Array, n: number): void {
  const TILE = 32;
  for (let i0 = 0; i0 < n; i0 += TILE) {
    const i1 = Math.min(n, i0 + TILE);
    for (let j0 = 0; j0 <= i0; j0 += TILE) {
      const j1 = Math.min(n, j0 + TILE);
      for (let i = i0; i < i1; i++) {
        const jEnd = Math.min(j1, i);
        for (let j = j0; j < jEnd; j++) c[i * n + j] = c[j * n + i]!;
      }
    }
  }
}

/** Copies the lower triangle of square C onto its upper triangle, in tiles. */
export function mirrorLower(c: Float64Array, n: number): void {
  const TILE = 32;
  for (let i0 = 0; i0 < n; i0 += TILE) {
    const i1 = Math.min(n, i0 + TILE);
    for (let j0 = 0; j0 <= i0; j0 += TILE) {
      const j1 = Math.min(n, j0 + TILE);
      for (let i = i0; i < i1; i++) {
        const jEnd = Math.min(j1, i);
        for (let j = j0; j < jEnd; j++) c[j * n + i] = c[i * n + j]!;
      }
    }
  }
}
