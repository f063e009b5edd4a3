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
   * Let idle intra-op threads spin (ORT's default, true). `chooseSpinning` picks it from the
   * machine's state: off whenever the cores are shared, where spinning measured 2–5× slower.
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

/** What `chooseSpinning` needs to know about the run and the machine. */
export interface SpinningContext {
  /** Intra-op threads of each of our processes. */
  readonly threads: number;
  /** Logical cores of the machine (`os.availableParallelism()`). */
  readonly cores: number;
  /** Our processes running at once with `threads` each (`ns sweep --jobs`); default 1. */
  readonly concurrentJobs?: number;
  /** Cores other processes keep busy: the 1-minute load average read before starting; default 0. */
  readonly otherLoad?: number;
}

export interface SpinningChoice {
  readonly spinning: boolean;
  /** One line for the user, e.g. "ORT thread spinning off: 2 trials share 2 cores (…)". */
  readonly reason: string;
}

/**
 * Load average tolerated on "idle" cores: daemons and the tail of the 1-minute average keep it a
 * little above 0 on a machine nobody is using.
 */
const IDLE_SLACK = 0.5;

/**
 * ORT intra-op spinning on or off, by measurement (tools/bench/rin/spinning.mjs, RIN training
 * step of the mnist and tiny presets, batch 64, 2 cores, 2026-12): with the cores to itself a
 * 2-thread step was 3–6 % faster spinning (for 15–75 % more CPU time); whenever the cores were
 * shared — two 2-thread trials at once, a busy loop beside it, other users' load — spinning was
 * 2–5× slower, because a spinning thread burns the share of CPU its own process needs. With one
 * thread ORT has no pool, and the setting changed nothing. So spin only when every thread has an
 * idle core; the gain is small and the loss large, so ties go to off.
 */
export function chooseSpinning(context: SpinningContext): SpinningChoice {
  const { threads, cores, concurrentJobs = 1, otherLoad = 0 } = context;
  const integer = (name: string, v: number) => {
    if (!Number.isInteger(v) || v < 1)
      throw new GraphError(
        'invalid_argument',
        `chooseSpinning: \`${name}\` must be an integer ≥ 1, got ${v}`,
      );
  };
  integer('threads', threads);
  integer('cores', cores);
  integer('concurrentJobs', concurrentJobs);
  if (!Number.isFinite(otherLoad) || otherLoad < 0)
    throw new GraphError(
      'invalid_argument',
      `chooseSpinning: \`otherLoad\` must be a finite number ≥ 0, got ${otherLoad}`,
    );
  const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`;
  if (threads === 1)
    return {
      spinning: false,
      reason: 'ORT thread spinning off: 1 intra-op thread per process, no thread pool to spin',
    };
  const ours = threads * concurrentJobs;
  const who = `${concurrentJobs > 1 ? `${concurrentJobs} trials × ` : ''}${threads} threads`;
  const onCores = plural(cores, 'core');
  if (ours > cores)
    return {
      spinning: false,
      reason: `ORT thread spinning off: ${who} share ${onCores} (measured faster)`,
    };
  if (ours + otherLoad > cores + IDLE_SLACK)
    return {
      spinning: false,
      reason: `ORT thread spinning off: other processes keep the cores busy (load ${otherLoad.toFixed(1)} on ${onCores}; measured faster)`,
    };
  return {
    spinning: true,
    reason: `ORT thread spinning on: ${who} fit on ${onCores} beside load ${otherLoad.toFixed(1)} (measured faster)`,
  };
}

export { ort };
