import { GraphError } from '../errors.js';
import type { Graph, Tensor } from '../graph.js';
import { add, mul, sqrt } from '../ops/elementwise.js';
import { cast } from '../ops/movement.js';
import { reduceSum } from '../ops/reduce.js';
import { node1 } from '../ops/util.js';
import { formatShape } from '../shape.js';

/** One trainable parameter as the optimizer sees it. */
export interface OptimizerEntry {
  readonly name: string;
  readonly param: Tensor;
  readonly grad: Tensor;
}

/** One slot of optimizer state (e.g. the first moment `m`): its graph input and updated value. */
export interface SlotUpdate {
  readonly slot: string;
  /** Graph input holding the state before the step, named `<param>.<slot>`. */
  readonly input: Tensor;
  readonly output: Tensor;
}

export interface ParamUpdate {
  readonly name: string;
  /** The parameter after the step. */
  readonly next: Tensor;
  readonly slots: readonly SlotUpdate[];
}

/** Learning rate (float scalar) and 1-based step count k (int64 scalar) of this update. */
export interface StepInputs {
  readonly lr: Tensor;
  readonly step: Tensor;
}

/** An optimizer that emits its update as graph nodes. Hyper-parameters are plain data. */
export interface Optimizer {
  readonly kind: 'adamw' | 'lamb';
  /** State slots per parameter, in order (initialised to zeros). */
  readonly slots: readonly string[];
  readonly config: Readonly<Record<string, number | readonly string[]>>;
  apply(graph: Graph, entries: readonly OptimizerEntry[], step: StepInputs): ParamUpdate[];
}

/** Does `name` match any pattern (regular-expression search, as tfa's `_do_use_weight_decay`)? */
export function matchesAny(name: string, patterns: readonly string[]): boolean {
  return patterns.some((p) => new RegExp(p).test(name));
}

export function checkEntries(
  op: string,
  entries: readonly OptimizerEntry[],
  step: StepInputs,
): void {
  for (const e of entries) {
    if (e.param.dtype !== e.grad.dtype || e.param.shape.join() !== e.grad.shape.join()) {
      throw new GraphError(
        'shape_mismatch',
        `${op}: gradient of '${e.name}' is ${e.grad.dtype}${formatShape(e.grad.shape)}, parameter is ${e.param.dtype}${formatShape(e.param.shape)}`,
      );
    }
  }
  if (step.step.dtype !== 'int64' || step.step.rank !== 0) {
    throw new GraphError(
      'dtype_mismatch',
      `${op}: step must be an int64 scalar, got ${step.step.dtype}${formatShape(step.step.shape)}`,
    );
  }
  if (step.lr.rank !== 0)
    throw new GraphError(
      'shape_mismatch',
      `${op}: lr must be a scalar, got ${formatShape(step.lr.shape)}`,
    );
}

/** 1 − β^k as a float scalar (bias correction), k the int64 step input. */
export function biasCorrection(beta: number, step: Tensor, dtype: 'float32' | 'float64'): Tensor {
  const g = step.graph;
  const k = cast(step, dtype);
  const pw = node1(g, 'Pow', [g.constant(beta, dtype), k], [], dtype);
  return node1(g, 'Sub', [g.constant(1, dtype), pw], [], dtype);
}

/** Euclidean norm of a whole tensor (scalar). */
export function l2norm(x: Tensor): Tensor {
  return sqrt(reduceSum(mul(x, x)));
}

/** State input named `<param>.<slot>`, shaped like the parameter. */
export function slotInput(graph: Graph, e: OptimizerEntry, slot: string): Tensor {
  return graph.input(`${e.name}.${slot}`, e.param.shape, e.param.dtype);
}

/**
 * Global-norm clipping (tf.clip_by_global_norm): every gradient is scaled by
 * c / max(‖g‖, c) where ‖g‖ is the norm over all gradients together. Returns the norm too.
 */
export function clipByGlobalNorm(
  grads: readonly Tensor[],
  clipNorm: number,
): { grads: Tensor[]; norm: Tensor } {
  if (!(clipNorm > 0))
    throw new GraphError(
      'invalid_argument',
      `clipByGlobalNorm: clipNorm must be > 0, got ${clipNorm}`,
    );
  if (grads.length === 0)
    throw new GraphError('invalid_argument', 'clipByGlobalNorm: no gradients');
  const g = grads[0]!.graph;
  return g.untaped(() => {
    const sq = grads.map((t) => reduceSum(mul(t, t)));
    const norm = sqrt(sq.reduce((a, b) => add(a, b)));
    const dtype = grads[0]!.dtype;
    const denom = node1(g, 'Max', [norm, g.constant(clipNorm, dtype)], [], dtype);
    const scale = node1(g, 'Div', [g.constant(clipNorm, dtype), denom], [], dtype);
    return { grads: grads.map((t) => mul(t, scale)), norm };
  });
}
