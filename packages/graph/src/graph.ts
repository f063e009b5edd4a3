import { type AnyTypedArray, type DType, toTypedArray } from './dtype.js';
import { GraphError } from './errors.js';
import { type Dim, formatShape, type Shape } from './shape.js';

/** An ONNX attribute value. `int`/`ints` become int64 attributes, `float`/`floats` float32. */
export type Attr =
  | { readonly int: number }
  | { readonly float: number }
  | { readonly ints: readonly number[] }
  | { readonly floats: readonly number[] }
  | { readonly string: string }
  /** A subgraph (ONNX GRAPH attribute): the body of a Loop (see ops/control.ts). */
  | { readonly graph: Graph };

export interface NodeRecord {
  readonly op: string;
  readonly name: string;
  readonly inputs: readonly string[];
  readonly outputs: readonly string[];
  readonly attrs: Readonly<Record<string, Attr>>;
}

export interface InitializerRecord {
  readonly name: string;
  readonly dtype: DType;
  readonly shape: readonly number[];
  readonly data: AnyTypedArray;
}

/**
 * A backward rule: given the upstream gradients of an op's outputs (null where none flows) and
 * which inputs need a gradient, emit nodes for the input gradients (null where not needed).
 */
export type Vjp = (
  gys: readonly (Tensor | null)[],
  needs: readonly boolean[],
) => readonly (Tensor | null)[];

export interface TapeEntry {
  readonly inputs: readonly Tensor[];
  readonly outputs: readonly Tensor[];
  readonly vjp: Vjp;
}

/** A value in a graph: a graph input, initializer or node output, with static dtype and shape. */
export class Tensor {
  constructor(
    readonly graph: Graph,
    readonly name: string,
    readonly shape: Shape,
    readonly dtype: DType,
  ) {}
  get rank(): number {
    return this.shape.length;
  }
  toString(): string {
    return `Tensor(${this.name}: ${this.dtype}${formatShape(this.shape)})`;
  }
}

export interface GraphOptions {
  /** Float type of constants created from plain numbers when no tensor fixes it. Default float32. */
  readonly dtype?: 'float32' | 'float64';
  /** Graph name written into the model. */
  readonly name?: string;
}

/**
 * A graph under construction. Ops (see `ops/`) append ONNX nodes and, while `recording`, a tape
 * entry holding their VJP; `grad` replays the tape backwards. Nothing here knows protobuf: the
 * serialiser in `onnx/emit.ts` reads `nodes`, `inputs`, `outputs` and `initializers`.
 */
export class Graph {
  readonly dtype: 'float32' | 'float64';
  readonly name: string;
  readonly nodes: NodeRecord[] = [];
  readonly inputs: Tensor[] = [];
  readonly outputs: Tensor[] = [];
  readonly initializers: InitializerRecord[] = [];
  /** Every node output, with its static shape (what `estimateMemory` sums). */
  readonly values: Tensor[] = [];
  readonly tape: TapeEntry[] = [];
  /** Whether ops record VJPs; turned off while emitting backward and optimizer nodes. */
  recording = true;
  private readonly names = new Set<string>();
  private readonly constants = new Map<string, Tensor>();
  private counter = 0;

  constructor(options: GraphOptions = {}) {
    this.dtype = options.dtype ?? 'float32';
    this.name = options.name ?? 'ns_graph';
  }

  /** A fresh internal value name; user names never start with '_'. */
  fresh(hint: string): string {
    let n: string;
    do n = `_${hint}_${this.counter++}`;
    while (this.names.has(n));
    this.names.add(n);
    return n;
  }

  private claim(name: string, what: string): void {
    if (name.length === 0)
      throw new GraphError('invalid_argument', `${what}: name must be non-empty`);
    if (this.names.has(name)) {
      throw new GraphError(
        'duplicate_name',
        `${what}: name '${name}' is already used in this graph`,
      );
    }
    this.names.add(name);
  }

  /** Declare a graph input. Dims may be symbolic names (e.g. 'batch'). */
  input(name: string, shape: Shape, dtype: DType = this.dtype): Tensor {
    if (name.startsWith('_'))
      throw new GraphError(
        'invalid_argument',
        `input: names starting with '_' are reserved, got '${name}'`,
      );
    this.claim(name, 'input');
    for (const d of shape) {
      if (typeof d === 'number' && (!Number.isInteger(d) || d < 0)) {
        throw new GraphError(
          'invalid_argument',
          `input '${name}': bad dim ${d} in ${formatShape(shape)}`,
        );
      }
    }
    const t = new Tensor(this, name, [...shape], dtype);
    this.inputs.push(t);
    return t;
  }

  /** A named constant tensor stored in the model. */
  initializer(
    name: string,
    dtype: DType,
    shape: readonly number[],
    data: AnyTypedArray | ArrayLike<number>,
  ): Tensor {
    if (!name.startsWith('_')) this.claim(name, 'initializer');
    const size = shape.reduce((a, b) => a * b, 1);
    const arr = ArrayBuffer.isView(data) ? (data as AnyTypedArray) : toTypedArray(dtype, data);
    if (arr.length !== size) {
      throw new GraphError(
        'shape_mismatch',
        `initializer '${name}': shape ${formatShape(shape)} needs ${size} values, got ${arr.length}`,
      );
    }
    this.initializers.push({ name, dtype, shape: [...shape], data: arr });
    return new Tensor(this, name, [...shape], dtype);
  }

  /** A small constant, deduplicated by value so repeated scalars cost one initializer. */
  constant(
    values: number | readonly number[],
    dtype: DType = this.dtype,
    shape?: readonly number[],
  ): Tensor {
    const arr = typeof values === 'number' ? [values] : values;
    const sh = shape ?? (typeof values === 'number' ? [] : [arr.length]);
    const key = `${dtype}|${sh.join(',')}|${arr.join(',')}`;
    let t = this.constants.get(key);
    if (!t) {
      t = this.initializer(this.fresh('const'), dtype, sh, arr);
      this.constants.set(key, t);
    }
    return t;
  }

  /** Mark `t` as a graph output under `name` (an Identity is added when the name differs). */
  output(t: Tensor, name?: string): Tensor {
    this.own(t, 'output');
    let out = t;
    if (name !== undefined && name !== t.name) {
      this.claim(name, 'output');
      this.nodes.push({
        op: 'Identity',
        name: `${name}_identity`,
        inputs: [t.name],
        outputs: [name],
        attrs: {},
      });
      out = new Tensor(this, name, t.shape, t.dtype);
      // Gradients flow through the renaming Identity, so grad(g.output(loss, 'loss'), …) works.
      this.record([t], [out], ([gy]) => [gy ?? null]);
    }
    if (this.outputs.some((o) => o.name === out.name)) {
      throw new GraphError('duplicate_name', `output: '${out.name}' is already an output`);
    }
    this.outputs.push(out);
    return out;
  }

  /** Throw unless `t` belongs to this graph. */
  own(t: Tensor, what: string): void {
    if (t.graph !== this) {
      throw new GraphError('unknown_tensor', `${what}: ${t} belongs to another graph`);
    }
  }

  /**
   * Append one ONNX node. The caller (an op) has already applied the shape rule and passes the
   * output shapes and dtypes; `null` inputs become ONNX's empty optional input.
   */
  emit(
    op: string,
    inputs: readonly (Tensor | null)[],
    outputs: readonly { shape: Shape; dtype: DType }[],
    attrs: Record<string, Attr> = {},
  ): Tensor[] {
    for (const t of inputs) if (t) this.own(t, op);
    const outs = outputs.map((o) => new Tensor(this, this.fresh(op), [...o.shape], o.dtype));
    this.values.push(...outs);
    this.nodes.push({
      op,
      name: this.fresh(`n${op}`),
      inputs: inputs.map((t) => (t ? t.name : '')),
      outputs: outs.map((t) => t.name),
      attrs,
    });
    return outs;
  }

  /** Record a VJP for `outputs` as functions of `inputs` (no-op while not recording). */
  record(inputs: readonly Tensor[], outputs: readonly Tensor[], vjp: Vjp): void {
    if (this.recording) this.tape.push({ inputs, outputs, vjp });
  }

  /** Run `fn` with recording off: for backward, optimizer and other non-differentiated nodes. */
  untaped<T>(fn: () => T): T {
    const was = this.recording;
    this.recording = false;
    try {
      return fn();
    } finally {
      this.recording = was;
    }
  }

  /** int64 shape tensor for `shape`: a constant when static, else built from `like` at run time. */
  shapeOf(shape: Shape, like?: Tensor): Tensor {
    if (shape.every((d): d is number => typeof d === 'number')) {
      return this.constant(shape as number[], 'int64', [shape.length]);
    }
    if (!like) {
      throw new GraphError(
        'shape_mismatch',
        `shapeOf: ${formatShape(shape)} is symbolic and no tensor gives it`,
      );
    }
    return this.emit('Shape', [like], [{ shape: [shape.length], dtype: 'int64' }])[0]!;
  }
}

export type { Dim, Shape };
