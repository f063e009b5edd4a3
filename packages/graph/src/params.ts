/**
 * Parameter registry: names, shapes, dtypes, initialisers and current values, independent of any
 * graph. A `Scope` binds the registry to one graph, either as graph inputs (training graphs, where
 * the loop feeds values) or as initializers (eval graphs, values frozen into the model).
 */
import { GraphError } from './errors.js';
import type { Graph, Tensor } from './graph.js';
import { Rng } from './rng.js';
import { formatShape } from './shape.js';

export type Initializer =
  | { readonly kind: 'glorotUniform' }
  | { readonly kind: 'truncatedNormal'; readonly stddev: number; readonly mean?: number }
  | { readonly kind: 'normal'; readonly stddev: number }
  | { readonly kind: 'zeros' }
  | { readonly kind: 'constant'; readonly value: number };

/** Initialiser constructors (Keras semantics). */
export const init = {
  /** U(−l, l), l = √(6/(fan_in+fan_out)); fans from the last two dims times the receptive field. */
  glorotUniform: (): Initializer => ({ kind: 'glorotUniform' }),
  /** N(mean, stddev²) re-drawn outside two standard deviations. */
  truncatedNormal: (stddev = 0.02, mean = 0): Initializer => ({
    kind: 'truncatedNormal',
    stddev,
    mean,
  }),
  normal: (stddev = 1): Initializer => ({ kind: 'normal', stddev }),
  zeros: (): Initializer => ({ kind: 'zeros' }),
  ones: (): Initializer => ({ kind: 'constant', value: 1 }),
  constant: (value: number): Initializer => ({ kind: 'constant', value }),
} as const;

export type ParamArray = Float32Array | Float64Array;

export interface ParamSpec {
  readonly name: string;
  readonly shape: readonly number[];
  readonly init: Initializer;
}

export function fans(shape: readonly number[]): [number, number] {
  if (shape.length === 0) return [1, 1];
  if (shape.length === 1) return [shape[0]!, shape[0]!];
  const rf = shape.slice(0, -2).reduce((a, b) => a * b, 1);
  return [shape[shape.length - 2]! * rf, shape[shape.length - 1]! * rf];
}

export function initialValues(spec: ParamSpec, rng: Rng, dtype: 'float32' | 'float64'): ParamArray {
  const n = spec.shape.reduce((a, b) => a * b, 1);
  const out = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
  const i0 = spec.init;
  switch (i0.kind) {
    case 'zeros':
      break;
    case 'constant':
      out.fill(i0.value);
      break;
    case 'normal':
      for (let i = 0; i < n; i++) out[i] = rng.normal() * i0.stddev;
      break;
    case 'truncatedNormal':
      for (let i = 0; i < n; i++) {
        let z = rng.normal();
        while (Math.abs(z) > 2) z = rng.normal();
        out[i] = (i0.mean ?? 0) + z * i0.stddev;
      }
      break;
    case 'glorotUniform': {
      const [fi, fo] = fans(spec.shape);
      const limit = Math.sqrt(6 / (fi + fo));
      for (let i = 0; i < n; i++) out[i] = (2 * rng.uniform() - 1) * limit;
      break;
    }
  }
  return out;
}

/** Names, shapes and values of all parameters of a model; initial values from (seed, name). */
export class Params {
  readonly dtype: 'float32' | 'float64';
  private readonly rng: Rng;
  private readonly specs = new Map<string, ParamSpec>();
  private readonly values = new Map<string, ParamArray>();

  constructor(options: { seed: number; dtype?: 'float32' | 'float64' }) {
    this.rng = new Rng(options.seed);
    this.dtype = options.dtype ?? 'float32';
  }

  /** Declare (first time: initialise) or look up a parameter; shapes must agree on reuse. */
  declare(name: string, shape: readonly number[], initializer: Initializer): ParamSpec {
    const prev = this.specs.get(name);
    if (prev) {
      if (prev.shape.join() !== shape.join()) {
        throw new GraphError(
          'shape_mismatch',
          `param '${name}': declared as ${formatShape(prev.shape)}, requested as ${formatShape(shape)}`,
        );
      }
      return prev;
    }
    for (const d of shape) {
      if (!Number.isInteger(d) || d < 1)
        throw new GraphError(
          'invalid_argument',
          `param '${name}': bad shape ${formatShape(shape)}`,
        );
    }
    const spec: ParamSpec = { name, shape: [...shape], init: initializer };
    this.specs.set(name, spec);
    this.values.set(name, initialValues(spec, this.rng.fold(name), this.dtype));
    return spec;
  }

  has(name: string): boolean {
    return this.specs.has(name);
  }
  spec(name: string): ParamSpec {
    const s = this.specs.get(name);
    if (!s)
      throw new GraphError(
        'unknown_tensor',
        `param '${name}' is not declared (have: ${[...this.specs.keys()].join(', ')})`,
      );
    return s;
  }
  /** Current value (the registry's own array; copy before mutating). */
  value(name: string): ParamArray {
    this.spec(name);
    return this.values.get(name)!;
  }
  /** Replace a value (e.g. after training, or from a checkpoint). */
  set(name: string, data: ArrayLike<number>): void {
    const s = this.spec(name);
    const n = s.shape.reduce((a, b) => a * b, 1);
    if (data.length !== n) {
      throw new GraphError(
        'shape_mismatch',
        `param '${name}': expected ${n} values for ${formatShape(s.shape)}, got ${data.length}`,
      );
    }
    this.values.set(
      name,
      this.dtype === 'float32' ? Float32Array.from(data) : Float64Array.from(data),
    );
  }
  /** A registry with the same specs and copies of the values, some replaced by `overrides`. */
  withValues(overrides: ReadonlyMap<string, ArrayLike<number>> = new Map()): Params {
    const p = new Params({ seed: this.rng.seed, dtype: this.dtype });
    for (const s of this.specs.values()) {
      p.specs.set(s.name, s);
      p.values.set(s.name, this.value(s.name).slice());
    }
    for (const [n, v] of overrides) p.set(n, v);
    return p;
  }

  /** Specs in declaration order. */
  list(): ParamSpec[] {
    return [...this.specs.values()];
  }
  get count(): number {
    let n = 0;
    for (const s of this.specs.values()) n += s.shape.reduce((a, b) => a * b, 1);
    return n;
  }
}

/** How a scope turns parameters into graph values. */
export type ParamBinding = 'inputs' | 'initializers';

/**
 * A naming scope over one graph and one registry. Modules take a Scope, create sub-scopes with
 * `child`, and get parameter tensors with `param`; names are joined with '/' (TF style, which the
 * optimizers' exclusion patterns such as 'bias', 'gamma', 'beta' match against).
 */
export class Scope {
  private readonly bound: Map<string, Tensor>;
  constructor(
    readonly graph: Graph,
    readonly params: Params,
    readonly binding: ParamBinding = 'inputs',
    readonly path = '',
    bound?: Map<string, Tensor>,
  ) {
    this.bound = bound ?? new Map();
    if (params.dtype !== graph.dtype) {
      throw new GraphError(
        'dtype_mismatch',
        `Scope: params are ${params.dtype} but the graph is ${graph.dtype}`,
      );
    }
  }

  child(name: string): Scope {
    return new Scope(this.graph, this.params, this.binding, this.qualify(name), this.bound);
  }

  qualify(name: string): string {
    return this.path ? `${this.path}/${name}` : name;
  }

  /** The tensor for parameter `name` in this scope (declared and initialised on first use). */
  param(name: string, shape: readonly number[], initializer: Initializer): Tensor {
    const full = this.qualify(name);
    const spec = this.params.declare(full, shape, initializer);
    let t = this.bound.get(full);
    if (!t) {
      t =
        this.binding === 'inputs'
          ? this.graph.input(full, spec.shape, this.params.dtype)
          : this.graph.initializer(full, this.params.dtype, spec.shape, this.params.value(full));
      this.bound.set(full, t);
    }
    return t;
  }

  /** Parameters bound so far, in binding order, as [name, tensor]. */
  boundParams(): [string, Tensor][] {
    return [...this.bound.entries()];
  }
}
