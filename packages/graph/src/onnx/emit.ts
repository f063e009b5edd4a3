/**
 * Serialise a Graph to ONNX ModelProto bytes with the typed `onnx-buf` messages.
 * Opset 21 (ai.onnx), IR version 10: Gelu needs ≥20, LayerNormalization ≥17, ReduceMean axes-as-input ≥18.
 */
import { create, toBinary } from '@bufbuild/protobuf';
import * as pb from 'onnx-buf';
import { BYTES_PER_ELEMENT, ONNX_DTYPE } from '../dtype.js';
import { GraphError } from '../errors.js';
import type { Attr, Graph, InitializerRecord, Tensor } from '../graph.js';

export const OPSET = 21;
export const IR_VERSION = 10;

export interface SerializeOptions {
  /**
   * Initializers whose total size exceeds this many bytes are written as ONNX external data
   * (protobuf messages cannot exceed 2 GB). Default 1.5 GiB.
   */
  readonly externalDataThreshold?: number;
  /** File name (relative to the model) for external data. Default 'model.onnx.data'. */
  readonly externalDataFile?: string;
  /**
   * Initializers stored in a file the caller provides, at known byte ranges: they are written as
   * external references to `file` and carry no bytes here. With a safetensors file's data
   * layout (see `safetensorsLayout`), a model can run on any checkpoint of the same tensors:
   * pass the checkpoint's bytes as the session's external data for `file`.
   */
  readonly boundInitializers?: {
    readonly file: string;
    readonly layout: ReadonlyMap<string, { readonly offset: number; readonly length: number }>;
  };
  readonly producerName?: string;
}

export interface SerializedModel {
  readonly model: Uint8Array;
  /** Bytes of the external data file, when initializers were moved out of the model. */
  readonly externalData?: { readonly file: string; readonly bytes: Uint8Array };
}

function attribute(name: string, a: Attr): pb.AttributeProto {
  const T = pb.AttributeProto_AttributeType;
  if ('int' in a) return create(pb.AttributeProtoSchema, { name, type: T.INT, i: BigInt(a.int) });
  if ('float' in a) return create(pb.AttributeProtoSchema, { name, type: T.FLOAT, f: a.float });
  if ('ints' in a)
    return create(pb.AttributeProtoSchema, { name, type: T.INTS, ints: a.ints.map(BigInt) });
  if ('floats' in a)
    return create(pb.AttributeProtoSchema, { name, type: T.FLOATS, floats: [...a.floats] });
  if ('graph' in a)
    return create(pb.AttributeProtoSchema, { name, type: T.GRAPH, g: subgraph(a.graph) });
  return create(pb.AttributeProtoSchema, {
    name,
    type: T.STRING,
    s: new TextEncoder().encode(a.string),
  });
}

function valueInfo(t: Tensor): pb.ValueInfoProto {
  const dim = t.shape.map((d) =>
    create(pb.TensorShapeProto_DimensionSchema, {
      value:
        typeof d === 'number'
          ? { case: 'dimValue', value: BigInt(d) }
          : { case: 'dimParam', value: d },
    }),
  );
  return create(pb.ValueInfoProtoSchema, {
    name: t.name,
    type: create(pb.TypeProtoSchema, {
      value: {
        case: 'tensorType',
        value: create(pb.TypeProto_TensorSchema, {
          elemType: ONNX_DTYPE[t.dtype],
          shape: create(pb.TensorShapeProtoSchema, { dim }),
        }),
      },
    }),
  });
}

function bytesOf(init: InitializerRecord): Uint8Array<ArrayBuffer> {
  const d = init.data;
  return new Uint8Array(
    d.buffer as ArrayBuffer,
    d.byteOffset,
    d.length * BYTES_PER_ELEMENT[init.dtype],
  );
}

function graphProto(graph: Graph, initializer: pb.TensorProto[]): pb.GraphProto {
  const node = graph.nodes.map((n) =>
    create(pb.NodeProtoSchema, {
      opType: n.op,
      name: n.name,
      input: [...n.inputs],
      output: [...n.outputs],
      attribute: Object.entries(n.attrs).map(([k, a]) => attribute(k, a)),
    }),
  );
  return create(pb.GraphProtoSchema, {
    name: graph.name,
    node,
    initializer,
    input: graph.inputs.map(valueInfo),
    output: graph.outputs.map(valueInfo),
  });
}

/**
 * A subgraph (Loop body) with its initializers inline: external data is decided for the model's
 * main graph alone, and the bodies we build hold only small constants (parameters are carried).
 */
function subgraph(graph: Graph): pb.GraphProto {
  const initializer = graph.initializers.map((init) =>
    create(pb.TensorProtoSchema, {
      name: init.name,
      dataType: ONNX_DTYPE[init.dtype],
      dims: init.shape.map(BigInt),
      rawData: bytesOf(init),
    }),
  );
  return graphProto(graph, initializer);
}

export function serialize(graph: Graph, options: SerializeOptions = {}): SerializedModel {
  const threshold = options.externalDataThreshold ?? 1.5 * 2 ** 30;
  const file = options.externalDataFile ?? 'model.onnx.data';
  const total = graph.initializers.reduce((s, i) => s + bytesOf(i).byteLength, 0);
  const external = total > threshold;
  const chunks: Uint8Array[] = [];
  let offset = 0;
  const entry = (key: string, value: string) =>
    create(pb.StringStringEntryProtoSchema, { key, value });
  const bound = options.boundInitializers;
  const initializer = graph.initializers.map((init) => {
    const raw = bytesOf(init);
    const base = {
      name: init.name,
      dataType: ONNX_DTYPE[init.dtype],
      dims: init.shape.map(BigInt),
    };
    const range = bound?.layout.get(init.name);
    if (bound && range) {
      if (range.length !== raw.byteLength) {
        throw new GraphError(
          'shape_mismatch',
          `serialize: initializer '${init.name}' has ${raw.byteLength} bytes, its range in ${bound.file} has ${range.length}`,
        );
      }
      return create(pb.TensorProtoSchema, {
        ...base,
        dataLocation: pb.TensorProto_DataLocation.EXTERNAL,
        externalData: [
          entry('location', bound.file),
          entry('offset', String(range.offset)),
          entry('length', String(range.length)),
        ],
      });
    }
    // Keep tiny constants (shapes, axes, scalars) inline; move only the big ones out.
    if (!external || raw.byteLength < 1024)
      return create(pb.TensorProtoSchema, { ...base, rawData: raw });
    const pad = (64 - (offset % 64)) % 64; // aligned offsets allow mmap
    if (pad) chunks.push(new Uint8Array(pad));
    offset += pad;
    chunks.push(raw);
    const t = create(pb.TensorProtoSchema, {
      ...base,
      dataLocation: pb.TensorProto_DataLocation.EXTERNAL,
      externalData: [
        entry('location', file),
        entry('offset', String(offset)),
        entry('length', String(raw.byteLength)),
      ],
    });
    offset += raw.byteLength;
    return t;
  });
  const model = create(pb.ModelProtoSchema, {
    irVersion: BigInt(IR_VERSION),
    producerName: options.producerName ?? '@ns/graph',
    opsetImport: [create(pb.OperatorSetIdProtoSchema, { domain: '', version: BigInt(OPSET) })],
    graph: graphProto(graph, initializer),
  });
  const bytes = toBinary(pb.ModelProtoSchema, model);
  if (!external) return { model: bytes };
  const data = new Uint8Array(offset);
  let at = 0;
  for (const c of chunks) {
    data.set(c, at);
    at += c.byteLength;
  }
  return { model: bytes, externalData: { file, bytes: data } };
}

/** ONNX model bytes for a graph whose initializers fit in one protobuf message. */
export function toOnnx(graph: Graph): Uint8Array {
  const { model, externalData } = serialize(graph, {
    externalDataThreshold: Number.POSITIVE_INFINITY,
  });
  if (externalData) throw new Error('unreachable');
  return model;
}
