import { EvalFidError } from '../errors.js';

/**
 * The part of onnxruntime-node's API used here, typed locally so this package's types do not
 * depend on the optional peer dependency being installed.
 */
export interface OrtTensor {
  readonly data: unknown;
  readonly dims: readonly number[];
}
export interface OrtValueMetadata {
  readonly name: string;
  readonly isTensor: boolean;
  readonly type?: string;
  readonly shape?: ReadonlyArray<number | string>;
}
export interface OrtSession {
  readonly inputNames: readonly string[];
  readonly outputNames: readonly string[];
  readonly inputMetadata?: readonly OrtValueMetadata[];
  readonly outputMetadata?: readonly OrtValueMetadata[];
  run(
    feeds: Record<string, OrtTensor>,
    fetches?: Record<string, OrtTensor>,
  ): Promise<Record<string, OrtTensor>>;
  release(): Promise<void>;
}
export interface OrtModule {
  Tensor: new (
    type: 'float64' | 'float32',
    data: Float64Array | Float32Array,
    dims: number[],
  ) => OrtTensor;
  InferenceSession: {
    create(model: Uint8Array, options: Record<string, unknown>): Promise<OrtSession>;
  };
}

/** Imports the optional peer dependency onnxruntime-node, with a clear error when it is missing. */
export async function loadOrt(): Promise<OrtModule> {
  try {
    return (await import('onnxruntime-node')) as unknown as OrtModule;
  } catch (error) {
    throw new EvalFidError(
      'onnxruntime-node',
      `expected the optional peer dependency onnxruntime-node@1.30.0 to be installed, got ${String(error)}`,
    );
  }
}
