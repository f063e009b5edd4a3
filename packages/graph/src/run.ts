/**
 * Opening onnxruntime-node sessions for our models. CUDA is never silently replaced by CPU: when
 * the CUDA provider cannot load, `openSession` throws a GraphError('provider_unavailable') naming
 * the missing library and how to install it.
 */
import * as ort from 'onnxruntime-node';
import { GraphError } from './errors.js';

export type Device = 'cpu' | 'cuda';
export type OptimizationLevel = 'disabled' | 'basic' | 'extended' | 'all';

export interface SessionOptions {
  readonly device?: Device;
  /** CUDA device ordinal. */
  readonly deviceId?: number;
  /** Threads inside one op (ORT default: all cores). */
  readonly threads?: number;
  /** Threads across independent ops (default 1: our graphs are one long chain). */
  readonly interOpThreads?: number;
  readonly optimization?: OptimizationLevel;
  /** ORT's CPU memory arena (default true); turning it off lowers peak RSS at some speed cost. */
  readonly memoryArena?: boolean;
  /** ORT's memory-pattern planning (default true). */
  readonly memoryPattern?: boolean;
  /**
   * Let idle intra-op threads spin (ORT's default, true). Turning it off measured faster and used
   * far less CPU on a shared, busy machine; spinning helps latency on a dedicated one.
   */
  readonly spinning?: boolean;
  /** ORT log level: 0 verbose … 2 warning (ORT's default) … 4 fatal. */
  readonly logSeverityLevel?: 0 | 1 | 2 | 3 | 4;
  /** External data files for a model given as bytes: path as written in the model → bytes. */
  readonly externalData?: readonly { path: string; data: Uint8Array }[];
}

export const CUDA_INSTALL_HINT =
  'The CUDA execution provider needs libonnxruntime_providers_cuda.so and libonnxruntime_providers_shared.so ' +
  "(CUDA 12 + cuDNN 9) next to onnxruntime-node's binding (node_modules/onnxruntime-node/bin/napi-v6/linux/x64/). " +
  "onnxruntime-node's install script downloads them only when allowed to run: with pnpm, allow the build script " +
  '(onlyBuiltDependencies: [onnxruntime-node]) and run `ONNXRUNTIME_NODE_INSTALL=cuda12 pnpm install`; ' +
  'with npm, `npm install onnxruntime-node --onnxruntime-node-install=cuda12`.';

function toOrtOptions(o: SessionOptions): ort.InferenceSession.SessionOptions {
  const ep: ort.InferenceSession.ExecutionProviderConfig =
    (o.device ?? 'cpu') === 'cuda' ? { name: 'cuda', deviceId: o.deviceId ?? 0 } : 'cpu';
  const opts: ort.InferenceSession.SessionOptions = {
    executionProviders: [ep],
    graphOptimizationLevel: o.optimization ?? 'all',
    interOpNumThreads: o.interOpThreads ?? 1,
  };
  if (o.threads !== undefined) opts.intraOpNumThreads = o.threads;
  if (o.memoryArena !== undefined) opts.enableCpuMemArena = o.memoryArena;
  if (o.memoryPattern !== undefined) opts.enableMemPattern = o.memoryPattern;
  if (o.logSeverityLevel !== undefined) opts.logSeverityLevel = o.logSeverityLevel;
  if (o.spinning !== undefined) {
    // Session config entry (onnxruntime_session_options_config_keys.h), passed by the Node binding.
    opts.extra = { session: { intra_op: { allow_spinning: o.spinning ? '1' : '0' } } };
  }
  if (o.externalData)
    opts.externalData = o.externalData.map((e) => ({ path: e.path, data: e.data }));
  return opts;
}

/** Open an InferenceSession from model bytes or a .onnx path. */
export async function openSession(
  model: Uint8Array | string,
  options: SessionOptions = {},
): Promise<ort.InferenceSession> {
  const device = options.device ?? 'cpu';
  if (device !== 'cpu' && device !== 'cuda') {
    throw new GraphError(
      'invalid_argument',
      `openSession: device must be 'cpu' or 'cuda', got '${String(device)}'`,
    );
  }
  try {
    return typeof model === 'string'
      ? await ort.InferenceSession.create(model, toOrtOptions(options))
      : await ort.InferenceSession.create(model, toOrtOptions(options));
  } catch (e) {
    const msg = String(e instanceof Error ? e.message : e);
    if (device === 'cuda' && /cuda|shared library|provider/i.test(msg)) {
      throw new GraphError(
        'provider_unavailable',
        `openSession: the 'cuda' execution provider is unavailable (${msg.trim()}). ${CUDA_INSTALL_HINT}`,
        { cause: e },
      );
    }
    throw e;
  }
}

export { ort };
