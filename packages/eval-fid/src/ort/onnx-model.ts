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
  /** INT attributes, e.g. Gemm's transB. */
  int?: Record<string, number>;
  /** FLOAT attributes, e.g. Gemm's alpha. */
  float?: Record<string, number>;
}

function floatField(field: number, value: number): Field {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setFloat32(0, value, true);
  return concat([Uint8Array.from(varint(field * 8 + 5)), bytes]);
}

function node(spec: NodeSpec, index: number): Field {
  // AttributeProto: name 1, f 2, i 3, ints 8, type 20 (FLOAT 1, INT 2, INTS 7)
  const attributes = [
    ...Object.entries(spec.ints ?? {}).map(([name, values]) =>
      message(5, stringField(1, name), ...values.map((v) => intField(8, v)), intField(20, 7)),
    ),
    ...Object.entries(spec.int ?? {}).map(([name, v]) =>
      message(5, stringField(1, name), intField(3, v), intField(20, 2)),
    ),
    ...Object.entries(spec.float ?? {}).map(([name, v]) =>
      message(5, stringField(1, name), floatField(2, v), intField(20, 1)),
    ),
  ];
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

/**
 * The four product graphs of createOrtProducts, one Gemm each: Y = A·op(B), or F − A·op(B) with
 * alpha = −1, beta = 1 (ONNX Gemm: Y = alpha·A'·B' + beta·C).
 */
export function productModel(transposeB: boolean, subtract: boolean): Uint8Array {
  const bDims = transposeB ? ['n', 'k'] : ['k', 'n'];
  return onnxModel({
    name: `product${transposeB ? '_bt' : ''}${subtract ? '_from' : ''}`,
    inputs: [
      ['a', ['m', 'k']],
      ['b', bDims],
      ...(subtract ? [['f', ['m', 'n']] as [string, string[]]] : []),
    ],
    outputs: [['y', ['m', 'n']]],
    nodes: [
      {
        op: 'Gemm',
        inputs: subtract ? ['a', 'b', 'f'] : ['a', 'b'],
        outputs: ['y'],
        int: { transB: transposeB ? 1 : 0 },
        ...(subtract ? { float: { alpha: -1, beta: 1 } } : {}),
      },
    ],
  });
}
