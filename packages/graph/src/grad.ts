/**
 * Reverse-mode autodiff over the graph's tape. `grad` emits the backward pass as ordinary ai.onnx
 * nodes and returns one gradient tensor per requested tensor; it never changes existing nodes.
 */
import { isFloat } from './dtype.js';
import { GraphError } from './errors.js';
import type { Tensor } from './graph.js';
import { add } from './ops/elementwise.js';
import { node1 } from './ops/util.js';
import { formatShape } from './shape.js';

export interface GradOptions {
  /**
   * What to return for a tensor the loss does not depend on: 'zeros' (default) emits zeros of its
   * shape; 'throw' raises, which catches wiring mistakes.
   */
  readonly unconnected?: 'zeros' | 'throw';
}

export function grad(loss: Tensor, wrt: readonly Tensor[], options: GradOptions = {}): Tensor[] {
  const g = loss.graph;
  for (const w of wrt) g.own(w, 'grad');
  if (!isFloat(loss.dtype))
    throw new GraphError('dtype_mismatch', `grad: loss must be float, got ${loss.dtype}`);
  if (loss.rank !== 0) {
    throw new GraphError(
      'shape_mismatch',
      `grad: loss must be a scalar (shape []), got ${formatShape(loss.shape)}`,
    );
  }
  // Forward sweep: which values depend on any of `wrt` (only those need gradients).
  const depends = new Set<string>(wrt.map((w) => w.name));
  for (const e of g.tape) {
    if (e.inputs.some((x) => depends.has(x.name))) for (const y of e.outputs) depends.add(y.name);
  }
  if (wrt.length > 0 && !depends.has(loss.name)) {
    throw new GraphError(
      'unknown_tensor',
      `grad: ${loss} depends on none of the ${wrt.length} tensors asked for`,
    );
  }
  const grads = new Map<string, Tensor>();
  return g.untaped(() => {
    grads.set(loss.name, g.constant(1, loss.dtype));
    for (let k = g.tape.length - 1; k >= 0; k--) {
      const e = g.tape[k]!;
      const gys = e.outputs.map((y) => grads.get(y.name) ?? null);
      if (gys.every((v) => v === null)) continue;
      const needs = e.inputs.map((x) => depends.has(x.name) && isFloat(x.dtype));
      if (!needs.some(Boolean)) continue;
      const gxs = e.vjp(gys, needs);
      e.inputs.forEach((x, i) => {
        const gx = gxs[i];
        if (!gx || !needs[i]) return;
        const prev = grads.get(x.name);
        grads.set(x.name, prev ? add(prev, gx) : gx);
      });
    }
    return wrt.map((w) => {
      const gw = grads.get(w.name);
      if (gw) return gw;
      if (options.unconnected === 'throw') {
        throw new GraphError('unknown_tensor', `grad: the loss does not depend on ${w}`);
      }
      return node1(g, 'Expand', [g.constant(0, w.dtype), g.shapeOf(w.shape, w)], w.shape, w.dtype);
    });
  });
}
