/**
 * `ns worker`: takes a submitted sweep's jobs off its queue and runs each as the local pool
 * would, one trial process per job. Faults are BullMQ's and the run's:
 * - this process dies (kill -9, machine lost): its job locks expire and BullMQ's stalled-job
 *   check hands the jobs to another worker, whose trial resumes from the last checkpoint (the
 *   run lock is a lease: a dead holder on this host, or a silent one elsewhere, is taken over);
 * - SIGINT/SIGTERM/SIGHUP: the trials checkpoint, their jobs go back to the queue, exit 3;
 * - a trial that fails for a reason a retry cannot fix fails once (UnrecoverableError).
 * The worker returns when the sweep has nothing left to run.
 */
import type { ChildProcess } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, hostname, loadavg } from 'node:os';
import { join } from 'node:path';
import { chooseSpinning, type Device } from '@ns/graph';
import {
  EXIT_RUN_LOCKED,
  EXIT_UNRECOVERABLE,
  lastTrialError,
  readSweepGrid,
  readTrialResult,
  startTrialProcess,
  threadsPerJob,
} from '@ns/sweep';
import { EXIT_INTERRUPTED } from '@ns/trainer';
import {
  DelayedError,
  FlowProducer,
  type Job,
  UnrecoverableError,
  WaitingError,
  Worker,
} from 'bullmq';
import { checkRedis, redisOptions } from './connection.js';
import { QueueError } from './errors.js';
import {
  JOB_OPTIONS,
  jobPhase,
  mergeJobId,
  readQueueFile,
  type SweepJobData,
  shardJobId,
} from './jobs.js';
import { openQueue } from './submit.js';
import type { RedisTarget } from './url.js';

/** How long a job whose run is locked by another live process waits before its next try. */
const LOCKED_RETRY_MS = 10_000;

export interface WorkerOptions {
  readonly target: RedisTarget;
  readonly out: string;
  /** Jobs run side by side (threads are split between them). */
  readonly jobs: number;
  /** Threads for all of this worker's jobs (default: all cores). */
  readonly threads?: number;
  readonly device: Device;
  readonly log: (line: string) => void;
  /**
   * Seconds without a lock renewal after which a job counts as stalled and goes to another
   * worker (BullMQ's lockDuration; the stalled check runs as often). Default 30.
   */
  readonly stallSeconds?: number;
  /** Aborted on SIGINT/SIGTERM/SIGHUP: stop, checkpoint, return the jobs. */
  readonly signal?: AbortSignal;
  /** The trial command (tests); see startTrialProcess. */
  readonly trialCommand?: readonly string[];
}

export interface WorkerOutcome {
  /** Jobs this worker finished. */
  readonly completed: number;
  /** Stopped by the signal with the sweep unfinished. */
  readonly interrupted: boolean;
}

/** Proves `out` can be written by this worker (the trials write their runs there). */
function checkWritable(out: string): void {
  const probe = join(out, `.ns-worker-${hostname()}-${process.pid}`);
  try {
    mkdirSync(out, { recursive: true });
    writeFileSync(probe, '');
    rmSync(probe);
  } catch (error) {
    throw new QueueError(
      'not_writable',
      `--out ${out}: this worker cannot write there (${(error as NodeJS.ErrnoException).code})`,
    );
  }
}

const sleep = (ms: number, signal?: AbortSignal) =>
  new Promise<void>((resolve) => {
    const timer = setTimeout(resolve, ms);
    signal?.addEventListener('abort', () => {
      clearTimeout(timer);
      resolve();
    });
  });

/** Waits for queue.json (a worker may start before the sweep is submitted). */
async function awaitSubmission(o: WorkerOptions): Promise<string | undefined> {
  let told = false;
  for (;;) {
    const file = readQueueFile(o.out);
    if (file !== undefined) return file.name;
    if (o.signal?.aborted) return undefined;
    if (!told) o.log(`waiting for a sweep to be submitted to ${o.out} (ns sweep --queue …)`);
    told = true;
    await sleep(1000, o.signal);
  }
}

export async function runWorker(o: WorkerOptions): Promise<WorkerOutcome> {
  checkWritable(o.out);
  await checkRedis(o.target);
  const name = await awaitSubmission(o);
  if (name === undefined) return { completed: 0, interrupted: true };
  const grid = readSweepGrid(o.out);
  const shards = grid.eval.shards;
  const threads = threadsPerJob(o.threads ?? availableParallelism(), o.jobs);
  const spin = chooseSpinning({
    threads,
    cores: availableParallelism(),
    concurrentJobs: o.jobs,
    otherLoad: loadavg()[0]!,
  });
  o.log(
    `worker ${hostname()}:${process.pid} on ${o.target.display}, queue ${name}: ${o.jobs} job${o.jobs > 1 ? 's' : ''} × ${threads} thread${threads > 1 ? 's' : ''}`,
  );
  o.log(spin.reason);

  const connection = redisOptions(o.target);
  const flows = new FlowProducer({ connection });
  flows.on('error', () => undefined);
  const children = new Set<ChildProcess>();
  let completed = 0;
  let connectionLost = false;

  const processor = async (job: Job<SweepJobData>, token?: string): Promise<unknown> => {
    const trial = job.data.trial;
    const phase = jobPhase(job.name, job.data, shards);
    const pickedUp = Date.now();
    const again = [
      ...(job.attemptsMade > 0 ? [`attempt ${job.attemptsMade + 1}`] : []),
      ...(job.stalledCounter > 0 ? [`its worker was lost ${job.stalledCounter}×`] : []),
    ];
    o.log(
      `start ${job.id}${again.length > 0 ? ` (${again.join(', ')})` : ''} (queued ${((pickedUp - job.timestamp) / 1000).toFixed(1)} s)`,
    );
    const { child, exit } = startTrialProcess({
      sweepDir: o.out,
      trialId: trial,
      threads,
      device: o.device,
      spinning: spin.spinning,
      phase,
      ...(o.trialCommand === undefined ? {} : { command: o.trialCommand }),
    });
    children.add(child);
    const code = await exit.finally(() => children.delete(child));
    if (code === EXIT_INTERRUPTED && o.signal?.aborted) {
      // Checkpointed because this worker is stopping: back to the queue, not a failed attempt.
      await job.moveToWait(token);
      o.log(`returned ${job.id} to the queue`);
      throw new WaitingError();
    }
    if (code === EXIT_RUN_LOCKED) {
      // A lost worker's trial still holds its lease (another host: until the heartbeat is
      // older than the lease). Not a failed attempt: look again later.
      await job.moveToDelayed(Date.now() + LOCKED_RETRY_MS, token);
      o.log(
        `${job.id}: ${lastTrialError(o.out, trial) ?? 'run locked'}; again in ${LOCKED_RETRY_MS / 1000} s`,
      );
      throw new DelayedError();
    }
    if (code === EXIT_UNRECOVERABLE)
      throw new UnrecoverableError(lastTrialError(o.out, trial) ?? `exit ${code}`);
    if (code !== 0) {
      throw new Error(
        lastTrialError(o.out, trial) ?? `trial process ended with ${code ?? 'a signal'}`,
      );
    }
    if (job.name === 'trial' && shards > 1) {
      // Trained: the evaluation fans out (ids make a repeat of this step a no-op).
      await flows.add({
        name: 'merge',
        queueName: name,
        data: { trial, count: shards },
        opts: { ...JOB_OPTIONS, jobId: mergeJobId(trial) },
        children: Array.from({ length: shards }, (_, index) => ({
          name: 'shard',
          queueName: name,
          data: { trial, index, count: shards },
          opts: { ...JOB_OPTIONS, jobId: shardJobId(trial, index, shards) },
        })),
      });
    }
    completed++;
    const result = readTrialResult(o.out, trial);
    o.log(
      `done ${job.id}${result && job.name !== 'shard' ? `: ${result.metric} ${result.value.toFixed(3)}` : ''}`,
    );
    return result === undefined ? { trial } : { trial, value: result.value };
  };

  const stallMs = (o.stallSeconds ?? 30) * 1000;
  const worker = new Worker<SweepJobData>(name, processor, {
    connection,
    concurrency: o.jobs,
    lockDuration: stallMs,
    stalledInterval: stallMs,
    // Preemption is routine on clusters: a trial may stall many times and still finish.
    maxStalledCount: 20,
  });
  worker.on('error', (error) => {
    if (!connectionLost)
      o.log(
        `lost Redis at ${o.target.display} (${(error as NodeJS.ErrnoException).code ?? error.message}); reconnecting`,
      );
    connectionLost = true;
  });
  worker.on('ready', () => {
    if (connectionLost) o.log(`reconnected to Redis at ${o.target.display}`);
    connectionLost = false;
  });
  worker.on('failed', (job, error) => {
    if (job && !(error instanceof WaitingError) && !(error instanceof DelayedError))
      o.log(`failed ${job.id} (attempt ${job.attemptsMade}): ${error.message}`);
  });

  const onStop = () => {
    o.log('stopping: running trials checkpoint and go back to the queue');
    for (const child of children) child.kill('SIGTERM');
  };
  o.signal?.addEventListener('abort', onStop);
  const queue = openQueue(o.target, name);
  try {
    // Until the queue has nothing waiting, delayed, running or waiting for its children (asked
    // four times a second: one small Redis call, and the sweep's end is noticed at once).
    for (;;) {
      await sleep(250, o.signal);
      if (o.signal?.aborted) break;
      let counts: Record<string, number>;
      try {
        counts = await queue.getJobCounts(
          'waiting',
          'active',
          'delayed',
          'prioritized',
          'waiting-children',
          'paused',
        );
      } catch {
        continue; // Redis away: the worker reconnects; ask again
      }
      if (Object.values(counts).every((n) => n === 0) && children.size === 0) break;
    }
  } finally {
    o.signal?.removeEventListener('abort', onStop);
    await worker.close();
    await flows.close();
    await queue.close();
  }
  return { completed, interrupted: o.signal?.aborted === true };
}
