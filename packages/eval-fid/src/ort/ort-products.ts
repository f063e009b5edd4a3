import { availableParallelism } from 'node:os';
import { EvalFidError } from '../errors.js';
import { bandToTridiagonal } from '../linalg/band-tridiagonal.js';
import { type ChasePool, createChasePool, PARALLEL_CHASE_FROM } from '../linalg/chase-pool.js';
import { jsProduct } from '../linalg/dense-work.js';
import type { MatrixProducts, Product } from '../products.js';
import { loadOrt, type OrtSession, type OrtTensor } from './load-ort.js';
import { productModel } from './onnx-model.js';

export interface OrtProductsOptions {
  /**
   * Intra-op threads for Gemm, and threads of the bulge chase (default: all cores, as
   * availableParallelism() counts them; 1 runs the chase on the calling thread).
   */
  threads?: number;
  /**
   * Whether idle intra-op threads busy-wait for the next product (default false, unlike
   * onnxruntime's own default). The algorithms here do JS work between products (panels, the
   * bulge chase on worker threads); spinning threads take the cores from it: at 2048-d on 2 cores the
   * eigenvalue stage measured 4.2–4.7 s without spinning and 11.4–13.4 s with it.
   */
  spinning?: boolean;
}

/**
 * MatrixProducts on onnxruntime-node float64 Gemm, with the bulge chase on a pool of worker
 * threads; call release() when done.
 */
export interface OrtProducts extends MatrixProducts {
  release(): Promise<void>;
}

/** Below this many multiply-adds a call into onnxruntime costs more than the JS kernel. */
const SMALL_PRODUCT = 1 << 17;
/** 'upper' products this large are split, and only blocks on or above the diagonal computed. */
const SPLIT_AT = 512;
const LEAF = 256;

/**
 * Float64 products through onnxruntime-node (an optional peer dependency, version 1.30.0): its
 * multi-threaded MLAS double-precision Gemm. The ONNX graphs (one Gemm each) are generated here;
 * nothing is downloaded. Large symmetric results of which only the upper triangle is wanted (the
 * covariance) are computed by recursive halving, upper blocks only, since ONNX has no SYRK: with
 * leaves of 256 that is 56 % of the full product’s work at 2048-d, in 15 Gemm calls.
 */
export async function createOrtProducts(options: OrtProductsOptions = {}): Promise<OrtProducts> {
  const ort = await loadOrt();
  const threads = options.threads ?? availableParallelism();
  const chasePool: ChasePool | undefined = threads >= 2 ? createChasePool(threads) : undefined;
  const sessionOptions: Record<string, unknown> = {
    graphOptimizationLevel: 'all',
    interOpNumThreads: 1,
  };
  if (options.threads !== undefined) sessionOptions['intraOpNumThreads'] = options.threads;
  sessionOptions['extra'] = {
    session: { intra_op: { allow_spinning: options.spinning === true ? '1' : '0' } },
  };
  const sessions = new Map<string, Promise<OrtSession>>();
  const session = (transposeB: boolean, subtract: boolean): Promise<OrtSession> => {
    const key = `${transposeB}${subtract}`;
    let s = sessions.get(key);
    if (s === undefined) {
      s = ort.InferenceSession.create(productModel(transposeB, subtract), sessionOptions);
      sessions.set(key, s);
    }
    return s;
  };
  const tensor = (data: Float64Array, dims: number[]): OrtTensor =>
    new ort.Tensor('float64', data, dims);

  /** One Gemm call: A (m × k) · op(B) [subtracted from F (m × n)]. */
  async function gemm(
    a: Float64Array,
    b: Float64Array,
    m: number,
    n: number,
    k: number,
    transposeB: boolean,
    from?: Float64Array,
    into?: Float64Array,
  ): Promise<Float64Array> {
    const s = await session(transposeB, from !== undefined);
    const feeds: Record<string, OrtTensor> = {
      a: tensor(a, [m, k]),
      b: tensor(b, transposeB ? [n, k] : [k, n]),
    };
    if (from !== undefined) feeds['f'] = tensor(from, [m, n]);
    // a pre-allocated output is written in place by onnxruntime-node
    const out = into?.subarray(0, m * n);
    const results = await s.run(feeds, out ? { y: tensor(out, [m, n]) } : undefined);
    if (out) return out;
    const y = results['y'];
    if (!(y?.data instanceof Float64Array) || y.data.length !== m * n) {
      throw new EvalFidError('onnxruntime-node', `expected a float64 ${m}×${n} Gemm output`);
    }
    return y.data;
  }

  /**
   * The upper triangle of a symmetric A·Bᵀ by recursive halving: C₁₁ and C₂₂ recursively, C₁₂ as
   * one product; leaves of at most LEAF rows are computed whole. Rows of A and B are contiguous,
   * so the operands need no copies.
   */
  async function upperByHalves(p: Product): Promise<Float64Array> {
    const { a, b, n, k } = p;
    const out = p.into ?? new Float64Array(n * n);
    const place = (c: Float64Array, i0: number, rows: number, j0: number, cols: number) => {
      for (let r = 0; r < rows; r++) {
        out.set(c.subarray(r * cols, (r + 1) * cols), (i0 + r) * n + j0);
      }
    };
    const block = async (i0: number, rows: number, j0: number, cols: number) =>
      place(
        await gemm(
          a.subarray(i0 * k, (i0 + rows) * k),
          b.subarray(j0 * k, (j0 + cols) * k),
          rows,
          cols,
          k,
          true,
        ),
        i0,
        rows,
        j0,
        cols,
      );
    const upper = async (i0: number, size: number): Promise<void> => {
      if (size <= LEAF) return block(i0, size, i0, size);
      const h = Math.ceil(size / 2 / 8) * 8;
      await upper(i0, h);
      await block(i0, h, i0 + h, size - h);
      await upper(i0 + h, size - h);
    };
    await upper(0, n);
    return out;
  }

  return {
    async product(p) {
      if (p.m * p.n * p.k < SMALL_PRODUCT) return jsProduct(p);
      // Only an 'upper' result without `from` is split: the other symmetric products here have a
      // small inner size (k ≤ 64), where block copies and mirroring cost more than they save.
      if (p.symmetric === 'upper' && p.from === undefined && p.transposeB && p.n >= SPLIT_AT) {
        return upperByHalves(p);
      }
      return gemm(p.a, p.b, p.m, p.n, p.k, p.transposeB, p.from, p.into);
    },
    async chase(band) {
      if (chasePool !== undefined && band.n >= PARALLEL_CHASE_FROM) await chasePool.chase(band);
      else bandToTridiagonal(band);
    },
    async release() {
      await chasePool?.release();
      for (const s of sessions.values()) await (await s).release();
      sessions.clear();
    },
  };
}
