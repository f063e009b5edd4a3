/**
 * A minimal protobuf writer for the few ONNX messages needed to describe float64 MatMul graphs,
 * so the optional onnxruntime path needs no ONNX/protobuf dependency. Field numbers are those of
 * onnx.proto (ModelProto, GraphProto, NodeProto, ValueInfoProto, TypeProto, TensorShapeProto,
 * AttributeProto, OperatorSetIdProto).
 */
type Field = Uint8Array;

function varint(value: number): number[] {
  const out: number[] = [];
  let v = value;
  while (v >= 0x80) {
    out.push((v % 0x80) | 0x80);
    v = Math.floor(v / 0x80);
  }
  out.push(v);
  return out;
}

function concat(parts: Field[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((s, p) => s + p.length, 0));
  let o = 0;
  for (const p of parts) {
    out.set(p, o);
    o += p.length;
  }
  return out;
}

const intField = (field: number, value: number): Field =>
  Uint8Array.from([...varint(field * 8), ...varint(value)]);

function bytesField(field: number, payload: Uint8Array): Field {
  return concat([Uint8Array.from([...varint(field * 8 + 2), ...varint(payload.length)]), payload]);
}

const stringField = (field: number, s: string): Field =>
  bytesField(field, new TextEncoder().encode(s));
const message = (field: number, ...parts: Field[]): Field => bytesField(field, concat(parts));

/** TensorProto.DataType codes used here. */
export const FLOAT = 1;
export const DOUBLE = 11;

/** A tensor input/output whose dimensions are named (dynamic) or fixed. */
function valueInfo(
  field: number,
  name: string,
  dims: ReadonlyArray<string | number>,
  elemType: number,
): Field {
  const shape = dims.map((d) =>
    message(1, typeof d === 'number' ? intField(1, d) : stringField(2, d)),
  );
  return message(
    field,
    stringField(1, name),
    message(2, message(1, intField(1, elemType), message(2, ...shape))),
  );
}

/** A float32 initializer (TensorProto with raw little-endian data). */
function initializer(name: string, dims: readonly number[], data: Float32Array): Field {
  const raw = new Uint8Array(data.length * 4);
  const view = new DataView(raw.buffer);
  for (let i = 0; i < data.length; i++) view.setFloat32(i * 4, data[i]!, true);
  return message(
    5,
    ...dims.map((d) => intField(1, d)),
    intField(2, FLOAT),
    stringField(8, name),
    bytesField(9, raw),
  );
}

export interface NodeSpec {
  op: string;
  inputs: string[];
  outputs: string[];
  /** INTS attributes, e.g. Transpose's perm. */
  ints?: Record<string, number[]>;
}

function node(spec: NodeSpec, index: number): Field {
  const attributes = Object.entries(spec.ints ?? {}).map(([name, values]) =>
    message(5, stringField(1, name), ...values.map((v) => intField(8, v)), intField(20, 7)),
  );
  return message(
    1,
    ...spec.inputs.map((i) => stringField(1, i)),
    ...spec.outputs.map((o) => stringField(2, o)),
    stringField(3, `n${index}`),
    stringField(4, spec.op),
    ...attributes,
  );
}

/** Serialises a one-graph ONNX model (IR 8, opset 17); inputs/outputs are float64 by default. */
export function onnxModel(spec: {
  name: string;
  inputs: Array<[string, ReadonlyArray<string | number>]>;
  outputs: Array<[string, ReadonlyArray<string | number>]>;
  nodes: NodeSpec[];
  elemType?: number;
  initializers?: Array<{ name: string; dims: readonly number[]; data: Float32Array }>;
}): Uint8Array {
  const elem = spec.elemType ?? DOUBLE;
  const graph = message(
    7,
    ...spec.nodes.map(node),
    stringField(2, spec.name),
    ...(spec.initializers ?? []).map((t) => initializer(t.name, t.dims, t.data)),
    ...spec.inputs.map(([n, d]) => valueInfo(11, n, d, elem)),
    ...spec.outputs.map(([n, d]) => valueInfo(12, n, d, elem)),
  );
  return concat([
    intField(1, 8),
    stringField(2, '@ns/eval-fid'),
    graph,
    message(8, stringField(1, ''), intField(2, 17)),
  ]);
}

/** G = Xᵀ X for X [rows, dim]: the scatter of a centred block. */
export function gramModel(): Uint8Array {
  return onnxModel({
    name: 'gram',
    inputs: [['x', ['rows', 'dim']]],
    outputs: [['g', ['dim', 'dim']]],
    nodes: [
      { op: 'Transpose', inputs: ['x'], outputs: ['xt'], ints: { perm: [1, 0] } },
      { op: 'MatMul', inputs: ['xt', 'x'], outputs: ['g'] },
    ],
  });
}

/** M = Lᵀ S L for S [dim, dim], L [dim, rank]: the congruence in the Fréchet trace term. */
export function congruenceModel(): Uint8Array {
  return onnxModel({
    name: 'congruence',
    inputs: [
      ['s', ['dim', 'dim']],
      ['l', ['dim', 'rank']],
    ],
    outputs: [['m', ['rank', 'rank']]],
    nodes: [
      { op: 'MatMul', inputs: ['s', 'l'], outputs: ['sl'] },
      { op: 'Transpose', inputs: ['l'], outputs: ['lt'], ints: { perm: [1, 0] } },
      { op: 'MatMul', inputs: ['lt', 'sl'], outputs: ['m'] },
    ],
  });
}
