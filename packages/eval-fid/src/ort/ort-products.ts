import { EvalFidError } from '../errors.js';
import type { MatrixProducts } from '../products.js';
import { loadOrt, type OrtTensor } from './load-ort.js';
import { congruenceModel, gramModel } from './onnx-model.js';

export interface OrtProductsOptions {
  /** Intra-op threads for MatMul (default: onnxruntime's choice, all cores). */
  threads?: number;
}

/** MatrixProducts on onnxruntime-node float64 MatMul; call release() when done. */
export interface OrtProducts extends MatrixProducts {
  release(): Promise<void>;
}

/**
 * Float64 Gram and congruence products through onnxruntime-node (an optional peer dependency,
 * version 1.30.0): multi-threaded MLAS kernels, ~8× the pure-JS kernels on 2048-d statistics.
 * The ONNX graphs (Transpose + MatMul) are generated here; nothing is downloaded.
 */
export async function createOrtProducts(options: OrtProductsOptions = {}): Promise<OrtProducts> {
  const ort = await loadOrt();
  const sessionOptions: Record<string, unknown> = {
    graphOptimizationLevel: 'all',
    interOpNumThreads: 1,
  };
  if (options.threads !== undefined) sessionOptions['intraOpNumThreads'] = options.threads;
  const gram = await ort.InferenceSession.create(gramModel(), sessionOptions);
  const congruence = await ort.InferenceSession.create(congruenceModel(), sessionOptions);
  const asFloat64 = (t: OrtTensor | undefined, what: string): Float64Array => {
    if (!(t?.data instanceof Float64Array)) {
      throw new EvalFidError('onnxruntime-node', `expected a float64 ${what} output`);
    }
    return t.data;
  };
  return {
    async gram(x, rows, dim) {
      const out = await gram.run({ x: new ort.Tensor('float64', x, [rows, dim]) });
      return asFloat64(out['g'], 'Gram');
    },
    async congruence(s, l, dim, rank) {
      const out = await congruence.run({
        s: new ort.Tensor('float64', s, [dim, dim]),
        l: new ort.Tensor('float64', l, [dim, rank]),
      });
      return asFloat64(out['m'], 'congruence');
    },
    async release() {
      await gram.release();
      await congruence.release();
    },
  };
}
