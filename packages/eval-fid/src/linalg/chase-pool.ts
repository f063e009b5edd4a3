import type { Worker } from 'node:worker_threads';
import { EvalFidError } from '../errors.js';
import type { BandMatrix } from './band-matrix.js';
import { requireBulgeRoom } from './band-tridiagonal.js';
import { chaseSweep, reflector, twoSided } from './bulge-chase-kernel.js';

/**
 * Worker threads that run the bulge chase of bandToTridiagonal with several sweeps in flight:
 * thread t takes sweeps t, t + T, t + 2T, …, and each sweep waits on the one before it through a
 * shared progress array (see chaseSweep), so the band comes out bit-identical to the sequential
 * chase. The chase is a third of the eigenvalue stage at 2048-d and runs while onnxruntime's
 * threads are idle, so it can have every core.
 */
export interface ChasePool {
  /** Chases `band` in place (its storage is copied to shared memory and back). */
  chase(band: BandMatrix): Promise<void>;
  /** Stops the threads; the pool starts new ones if used again. */
  release(): Promise<void>;
}

/** Below this order the threads' start-up and hand-offs cost more than the sweeps. */
export const PARALLEL_CHASE_FROM = 512;

/**
 * The worker's program: the kernels' own source text (they have no imports, see
 * bulge-chase-kernel.ts) and a loop over the worker's sweeps. Built from the functions, not a
 * file, so that it runs the same from the ESM and CommonJS builds and from the TypeScript sources.
 */
export function chaseWorkerSource(): string {
  return [
    "'use strict';",
    "const { parentPort } = require('node:worker_threads');",
    reflector.toString(),
    twoSided.toString(),
    chaseSweep.toString(),
    'parentPort.on("message", (m) => {',
    '  const a = new Float64Array(m.data);',
    '  const progress = new Int32Array(m.progress);',
    '  const scratch = new Float64Array(4 * m.b);',
    `  for (let i = m.first; i + 2 < m.n; i += m.step) ${chaseSweep.name}(a, m.n, m.b, m.width, i, scratch, progress);`,
    '  parentPort.postMessage(0);',
    '});',
  ].join('\n');
}

export function createChasePool(threads: number): ChasePool {
  if (!Number.isSafeInteger(threads) || threads < 2) {
    throw new RangeError(`a chase pool needs at least 2 threads, got ${threads}`);
  }
  let workers: Promise<Worker[]> | undefined;
  const start = async (): Promise<Worker[]> => {
    const { Worker } = await import('node:worker_threads');
    const source = chaseWorkerSource();
    return Array.from({ length: threads }, () => {
      const worker = new Worker(source, { eval: true });
      worker.unref(); // an idle pool never keeps the process alive
      return worker;
    });
  };
  const sweeps = (worker: Worker, message: Record<string, unknown>) =>
    new Promise<void>((resolve, reject) => {
      const settle = (error?: string) => {
        worker.off('message', done);
        worker.off('error', failed);
        worker.off('exit', exited);
        worker.unref();
        if (error === undefined) resolve();
        else reject(new EvalFidError('eigenvalues', `bulge-chase thread ${error}`));
      };
      const done = () => settle();
      const failed = (error: unknown) => settle(`failed: ${String(error)}`);
      const exited = (code: number) => settle(`exited with code ${code} before finishing`);
      worker.once('message', done);
      worker.once('error', failed);
      worker.once('exit', exited);
      worker.ref(); // while it works, the process waits for it
      worker.postMessage(message);
    });

  const release = async () => {
    const pool = workers;
    workers = undefined;
    if (pool) await Promise.all((await pool).map((w) => w.terminate()));
  };
  const chaseNow = async (band: BandMatrix) => {
    requireBulgeRoom(band);
    workers ??= start();
    const pool = await workers;
    const data = new SharedArrayBuffer(band.data.byteLength);
    new Float64Array(data).set(band.data);
    const progress = new SharedArrayBuffer(4 * band.n);
    const common = { data, progress, n: band.n, b: band.bandwidth, width: band.width };
    try {
      await Promise.all(
        pool.map((worker, t) => sweeps(worker, { ...common, first: t, step: pool.length })),
      );
    } catch (error) {
      await release(); // the other threads would wait for the failed one's sweeps forever
      throw error;
    }
    band.data.set(new Float64Array(data));
  };
  // One chase at a time: every thread works on every chase, so a second one waits its turn.
  let queue: Promise<unknown> = Promise.resolve();
  return {
    chase(band) {
      const run = queue.then(
        () => chaseNow(band),
        () => chaseNow(band),
      );
      queue = run;
      return run;
    },
    release,
  };
}
