/** Element types a graph tensor may have. ONNX codes are from `TensorProto.DataType`. */
export type DType = 'float32' | 'float64' | 'int64' | 'bool';
export type FloatDType = 'float32' | 'float64';

export const ONNX_DTYPE: Readonly<Record<DType, number>> = {
  float32: 1,
  int64: 7,
  bool: 9,
  float64: 11,
};

export const BYTES_PER_ELEMENT: Readonly<Record<DType, number>> = {
  float32: 4,
  float64: 8,
  int64: 8,
  bool: 1,
};

export function isFloat(d: DType): d is FloatDType {
  return d === 'float32' || d === 'float64';
}

/** The JS array that holds values of a dtype (what onnxruntime-node tensors use). */
export type TypedArrayFor<D extends DType> = D extends 'float32'
  ? Float32Array
  : D extends 'float64'
    ? Float64Array
    : D extends 'int64'
      ? BigInt64Array
      : Uint8Array;

export type AnyTypedArray = Float32Array | Float64Array | BigInt64Array | Uint8Array;

/** Copy plain numbers into the typed array of `dtype` (bool: nonzero → 1). */
export function toTypedArray(
  dtype: DType,
  values: ArrayLike<number> | readonly bigint[],
): AnyTypedArray {
  switch (dtype) {
    case 'float32':
      return Float32Array.from(values as ArrayLike<number>);
    case 'float64':
      return Float64Array.from(values as ArrayLike<number>);
    case 'int64':
      return BigInt64Array.from(Array.from(values as ArrayLike<number>, (v) => BigInt(v)));
    case 'bool':
      return Uint8Array.from(values as ArrayLike<number>, (v) => (v ? 1 : 0));
  }
}
