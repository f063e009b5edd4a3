/**
 * How much memory one run of a graph can need, from its static shapes: every node output, every
 * input and every initializer, with symbolic dims (e.g. 'batch') given values. It is an upper
 * bound on the tensors alive at once — ORT frees and reuses buffers, and a training step keeps
 * most forward activations for the backward pass — so callers scale it by a measured factor.
 * Linear in a symbolic dim: `perUnit(dim)` splits it into a fixed part and a part per unit.
 */
import { BYTES_PER_ELEMENT } from './dtype.js';
import type { Graph, Tensor } from './graph.js';

function bytesOf(t: Tensor, dims: Readonly<Record<string, number>>): number {
  let n = BYTES_PER_ELEMENT[t.dtype];
  for (const d of t.shape) n *= typeof d === 'number' ? d : (dims[d] ?? 1);
  return n;
}

/** Bytes of all values of `graph` with the symbolic dims set to `dims` (absent ones count 1). */
export function graphBytes(graph: Graph, dims: Readonly<Record<string, number>> = {}): number {
  let total = 0;
  for (const t of graph.inputs) total += bytesOf(t, dims);
  for (const t of graph.values) total += bytesOf(t, dims);
  for (const i of graph.initializers) total += i.data.byteLength;
  return total;
}

/** `graphBytes` as fixed + perUnit·n in the symbolic dim `dim` (shapes are linear in each dim). */
export function graphBytesPer(graph: Graph, dim: string): { fixed: number; perUnit: number } {
  const one = graphBytes(graph, { [dim]: 1 });
  const two = graphBytes(graph, { [dim]: 2 });
  return { fixed: 2 * one - two, perUnit: two - one };
}
