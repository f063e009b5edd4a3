/**
 * Elementwise ops with NumPy broadcasting. Each op: shape rule (broadcast), ONNX node, VJP.
 * VJPs use the same ops (untaped while `grad` runs) and sum broadcast axes back with `unbroadcast`.
 */
import { GraphError } from '../errors.js';
import type { Tensor } from '../graph.js';
import { broadcastShapes, formatShape } from '../shape.js';
import { erfFloat64 } from './erf64.js';
import {
  graphOf,
  lift,
  node1,
  type Operand,
  requireFloat,
  requireSameDtype,
  unbroadcast,
} from './util.js';

type BinaryVjp = (
  gy: Tensor,
  a: Tensor,
  b: Tensor,
  y: Tensor,
  needs: readonly boolean[],
) => [Tensor | null, Tensor | null];

function binary(op: string, x: Operand, z: Operand, vjp: BinaryVjp | null): Tensor {
  const g = graphOf(op, x, z);
  const dtype = typeof x !== 'number' ? x.dtype : (z as Tensor).dtype;
  const a = lift(g, x, dtype);
  const b = lift(g, z, dtype);
  requireSameDtype(op, a, b);
  const y = node1(g, op, [a, b], broadcastShapes(op, a.shape, b.shape), dtype);
  if (vjp) {
    g.record([a, b], [y], ([gy], needs) => {
      const [ga, gb] = vjp(gy!, a, b, y, needs);
      return [
        ga && needs[0] ? unbroadcast(ga, a) : null,
        gb && needs[1] ? unbroadcast(gb, b) : null,
      ];
    });
  }
  return y;
}

export function add(a: Operand, b: Operand): Tensor {
  return binary('Add', a, b, (gy) => [gy, gy]);
}

export function sub(a: Operand, b: Operand): Tensor {
  return binary('Sub', a, b, (gy, _a, _b, _y, needs) => [gy, needs[1] ? neg(gy) : null]);
}

export function mul(a: Operand, b: Operand): Tensor {
  return binary('Mul', a, b, (gy, a, b, _y, needs) => [
    needs[0] ? mul(gy, b) : null,
    needs[1] ? mul(gy, a) : null,
  ]);
}

export function div(a: Operand, b: Operand): Tensor {
  // y = a/b: da = g/b, db = -g·y/b
  return binary('Div', a, b, (gy, _a, b, y, needs) => [
    needs[0] ? div(gy, b) : null,
    needs[1] ? neg(div(mul(gy, y), b)) : null,
  ]);
}

/** a^b. With a number exponent the derivative is b·a^(b−1); a tensor exponent gets y·ln a. */
export function pow(a: Tensor, b: Operand): Tensor {
  requireFloat('Pow', a);
  return binary('Pow', a, b, (gy, a, b, y, needs) => [
    needs[0] ? mul(gy, mul(b, pow(a, sub(b, 1)))) : null,
    needs[1] ? mul(gy, mul(y, log(a))) : null,
  ]);
}

/** Comparisons give bool tensors and carry no gradient. */
export function greater(a: Operand, b: Operand): Tensor {
  return compare('Greater', a, b);
}
export function less(a: Operand, b: Operand): Tensor {
  return compare('Less', a, b);
}
export function equal(a: Operand, b: Operand): Tensor {
  return compare('Equal', a, b);
}
function compare(op: string, x: Operand, z: Operand): Tensor {
  const g = graphOf(op, x, z);
  const dtype = typeof x !== 'number' ? x.dtype : (z as Tensor).dtype;
  const a = lift(g, x, dtype);
  const b = lift(g, z, dtype);
  requireSameDtype(op, a, b);
  return node1(g, op, [a, b], broadcastShapes(op, a.shape, b.shape), 'bool');
}

/** Elementwise select: cond ? a : b (cond is bool; gradient flows to the chosen branch). */
export function where(cond: Tensor, a: Operand, b: Operand): Tensor {
  const g = graphOf('Where', cond, a, b);
  if (cond.dtype !== 'bool') {
    throw new GraphError(
      'dtype_mismatch',
      `Where: cond must be bool, got ${cond.dtype} ${formatShape(cond.shape)}`,
    );
  }
  const dtype = typeof a !== 'number' ? a.dtype : typeof b !== 'number' ? b.dtype : g.dtype;
  const ta = lift(g, a, dtype);
  const tb = lift(g, b, dtype);
  requireSameDtype('Where', ta, tb);
  const shape = broadcastShapes('Where', cond.shape, broadcastShapes('Where', ta.shape, tb.shape));
  const y = node1(g, 'Where', [cond, ta, tb], shape, dtype);
  g.record([cond, ta, tb], [y], ([gy], needs) => {
    const zero = g.constant(0, dtype);
    return [
      null,
      needs[1] ? unbroadcast(where(cond, gy!, zero), ta) : null,
      needs[2] ? unbroadcast(where(cond, zero, gy!), tb) : null,
    ];
  });
  return y;
}

// ---------- unary ----------

type UnaryVjp = (gy: Tensor, x: Tensor, y: Tensor) => Tensor;

function unary(op: string, x: Tensor, vjp: UnaryVjp): Tensor {
  requireFloat(op, x);
  const y = node1(x.graph, op, [x], x.shape, x.dtype);
  x.graph.record([x], [y], ([gy]) => [vjp(gy!, x, y)]);
  return y;
}

export function neg(x: Tensor): Tensor {
  return unary('Neg', x, (gy) => neg(gy));
}
export function exp(x: Tensor): Tensor {
  return unary('Exp', x, (gy, _x, y) => mul(gy, y));
}
export function log(x: Tensor): Tensor {
  return unary('Log', x, (gy, x) => div(gy, x));
}
export function sqrt(x: Tensor): Tensor {
  return unary('Sqrt', x, (gy, _x, y) => div(mul(gy, 0.5), y));
}
export function tanh(x: Tensor): Tensor {
  return unary('Tanh', x, (gy, _x, y) => mul(gy, sub(1, mul(y, y))));
}
export function sigmoid(x: Tensor): Tensor {
  return unary('Sigmoid', x, (gy, _x, y) => mul(gy, mul(y, sub(1, y))));
}
export function sin(x: Tensor): Tensor {
  return unary('Sin', x, (gy, x) => mul(gy, cos(x)));
}
export function cos(x: Tensor): Tensor {
  return unary('Cos', x, (gy, x) => neg(mul(gy, sin(x))));
}
/** erf; d/dx = 2/√π · exp(−x²). float64 uses a quadrature of standard ops (no float64 Erf kernel). */
export function erf(x: Tensor): Tensor {
  requireFloat('Erf', x);
  const y =
    x.dtype === 'float64'
      ? x.graph.untaped(() => erfFloat64(x))
      : node1(x.graph, 'Erf', [x], x.shape, x.dtype);
  x.graph.record([x], [y], ([gy]) => [mul(gy!, mul(exp(neg(mul(x, x))), 2 / Math.sqrt(Math.PI)))]);
  return y;
}

/**
 * SiLU (swish) x·σ(x): a composite, differentiated through its parts. In float64 it is written
 * x/(1+e^−x): ORT fuses x·Sigmoid(x) into com.microsoft.QuickGelu, which has no float64 kernel.
 */
export function silu(x: Tensor): Tensor {
  return x.dtype === 'float64' ? div(x, add(exp(neg(x)), 1)) : mul(x, sigmoid(x));
}

/** Identity that blocks gradients: `grad` treats the result as a constant. */
export function stopGradient(x: Tensor): Tensor {
  return node1(x.graph, 'Identity', [x], x.shape, x.dtype);
}

/** Differentiable identity (useful to name a value). */
export function identity(x: Tensor): Tensor {
  const y = node1(x.graph, 'Identity', [x], x.shape, x.dtype);
  x.graph.record([x], [y], ([gy]) => [gy ?? null]);
  return y;
}
