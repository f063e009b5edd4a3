/**
 * `ns sweep --queue`: the sweep folder is settled here (grid.json, reference statistics) and
 * every unfinished trial goes on the sweep's queue; workers do the rest. Following a sweep reads
 * the results from the shared folder and the failures from the queue.
 */
import {
  checkModels,
  ensureReference,
  expandTrials,
  minutes,
  progressOf,
  readTrialResult,
  type SweepGrid,
  settleGrid,
  type TrialResult,
  type TrialSpec,
  trialState,
} from '@ns/sweep';
import { type Job, Queue } from 'bullmq';
import { checkRedis, redisOptions } from './connection.js';
import { QueueError } from './errors.js';
import {
  JOB_OPTIONS,
  newQueueFile,
  readQueueFile,
  type SweepJobData,
  writeQueueFile,
} from './jobs.js';
import type { RedisTarget } from './url.js';

export interface SubmitOptions {
  readonly target: RedisTarget;
  readonly out: string;
  /** Required for a new sweep folder; optional (must match) for an existing one. */
  readonly grid?: SweepGrid;
  readonly log: (line: string) => void;
  /** Threads for the reference statistics computed here before submitting. */
  readonly threads?: number;
}

export interface Submission {
  readonly queue: string;
  readonly trials: readonly TrialSpec[];
  /** Put on the queue now (new, or failed before and retried). */
  readonly submitted: readonly string[];
  /** Already waiting or running on the queue. */
  readonly queued: readonly string[];
  readonly done: readonly string[];
}

export function openQueue(target: RedisTarget, name: string): Queue<SweepJobData> {
  const queue = new Queue<SweepJobData>(name, { connection: redisOptions(target) });
  queue.on('error', () => undefined); // reconnects are ioredis's; callers see failed commands
  return queue;
}

/** The queue name of a submitted sweep folder, or a QueueError saying how to submit it. */
export function sweepQueueName(out: string): string {
  const file = readQueueFile(out);
  if (file === undefined) {
    throw new QueueError(
      'no_sweep',
      `${out}: no queue.json; submit the sweep first (ns sweep --grid G --out ${out} --queue URL)`,
    );
  }
  return file.name;
}

export async function submitSweep(o: SubmitOptions): Promise<Submission> {
  await checkRedis(o.target);
  const grid = await settleGrid(o.out, o.grid);
  const trials = expandTrials(grid);
  checkModels(grid, o.log);
  const done: string[] = [];
  const pending: TrialSpec[] = [];
  for (const trial of trials) {
    if ((await trialState(o.out, trial.id)) === 'done') done.push(trial.id);
    else pending.push(trial);
  }
  // Reference statistics first, once per resolution, so the workers' trials only read them.
  for (const resolution of new Set(pending.map((t) => t.resolution)))
    await ensureReference(o.out, grid, resolution, o.threads);

  const file = readQueueFile(o.out) ?? newQueueFile();
  const queue = openQueue(o.target, file.name);
  const submitted: string[] = [];
  const queued: string[] = [];
  try {
    const fresh: TrialSpec[] = [];
    for (const trial of pending) {
      const job = await queue.getJob(trial.id);
      if (job === undefined) fresh.push(trial);
      else if ((await job.getState()) === 'failed') {
        await job.retry('failed'); // a fixed cause (a freed disk, an extended grid) gets a new try
        submitted.push(trial.id);
      } else queued.push(trial.id);
    }
    await queue.addBulk(
      fresh.map((t) => ({
        name: 'trial',
        data: { trial: t.id },
        opts: { ...JOB_OPTIONS, jobId: t.id },
      })),
    );
    submitted.push(...fresh.map((t) => t.id));
    // Published last: a worker that sees queue.json finds the jobs already there.
    if (readQueueFile(o.out) === undefined) await writeQueueFile(o.out, file);
  } finally {
    await queue.close();
  }
  o.log(
    `${trials.length} trial${trials.length === 1 ? '' : 's'}: ${done.length} done, ${submitted.length} submitted, ${queued.length} already queued (${o.target.display}, queue ${file.name})`,
  );
  return { queue: file.name, trials, submitted, queued, done };
}

export type TrialQueueState =
  | { readonly kind: 'done'; readonly result: TrialResult }
  | { readonly kind: 'failed'; readonly reason: string; readonly job: string }
  | { readonly kind: 'running'; readonly progress: string }
  | { readonly kind: 'waiting'; readonly attempts: number }
  | { readonly kind: 'not queued' };

/** Failed jobs of the queue by trial, with their reasons. */
async function failures(
  queue: Queue<SweepJobData>,
): Promise<Map<string, { job: string; reason: string }>> {
  const failed = new Map<string, { job: string; reason: string }>();
  const jobs: Job<SweepJobData>[] = await queue.getFailed(0, -1);
  for (const job of jobs)
    if (job?.data?.trial !== undefined)
      failed.set(job.data.trial, { job: job.id ?? job.name, reason: job.failedReason });
  return failed;
}

/** Where every trial of a submitted sweep stands: from the folder first, then the queue. */
export async function sweepStates(
  target: RedisTarget,
  out: string,
): Promise<Array<{ trial: TrialSpec; state: TrialQueueState }>> {
  await checkRedis(target);
  const grid = await settleGrid(out, undefined);
  const queue = openQueue(target, sweepQueueName(out));
  try {
    return await statesOn(queue, out, grid);
  } finally {
    await queue.close();
  }
}

async function statesOn(
  queue: Queue<SweepJobData>,
  out: string,
  grid: SweepGrid,
): Promise<Array<{ trial: TrialSpec; state: TrialQueueState }>> {
  const failed = await failures(queue);
  const active = new Set((await queue.getActive(0, -1)).map((job) => job?.data?.trial));
  const rows: Array<{ trial: TrialSpec; state: TrialQueueState }> = [];
  for (const trial of expandTrials(grid)) {
    const result = readTrialResult(out, trial.id);
    const failure = failed.get(trial.id);
    let state: TrialQueueState;
    if (result) state = { kind: 'done', result };
    else if (failure) state = { kind: 'failed', ...failure };
    else if (active.has(trial.id))
      state = { kind: 'running', progress: progressOf(out, trial.id, grid) };
    else {
      const job = await queue.getJob(trial.id);
      state =
        job === undefined
          ? { kind: 'not queued' }
          : { kind: 'waiting', attempts: job.attemptsMade };
    }
    rows.push({ trial, state });
  }
  return rows;
}

export interface FollowOutcome {
  readonly results: TrialResult[];
  readonly failed: Array<{ id: string; reason: string }>;
}

/**
 * Reports each trial as it finishes (the local sweep's `[k/N] id: FD …` lines) until every
 * trial is done or failed, or `signal` aborts (the jobs go on without us).
 */
export async function followSweep(o: {
  target: RedisTarget;
  out: string;
  log: (line: string) => void;
  signal?: AbortSignal;
  pollSeconds?: number;
  statusEvery?: number;
}): Promise<FollowOutcome & { complete: boolean }> {
  const grid = await settleGrid(o.out, undefined);
  const queue = openQueue(o.target, sweepQueueName(o.out));
  const reported = new Set<string>();
  const started = performance.now();
  let lastStatus = performance.now();
  try {
    for (;;) {
      const rows = await statesOn(queue, o.out, grid);
      const doneCount = rows.filter((r) => r.state.kind === 'done').length;
      for (const { trial, state } of rows) {
        if (reported.has(trial.id)) continue;
        if (state.kind === 'done') {
          reported.add(trial.id);
          const r = state.result;
          o.log(
            `[${doneCount}/${rows.length}] ${trial.id}: ${r.metric} ${r.value.toFixed(3)}  (step ${r.step}, train ${minutes(r.trainSeconds)}, eval ${minutes(r.evalSeconds)}; sweep ${minutes((performance.now() - started) / 1000)})`,
          );
        } else if (state.kind === 'failed') {
          reported.add(trial.id);
          o.log(`FAILED ${trial.id} (${state.job}): ${state.reason}`);
        }
      }
      const running = rows.filter((r) => r.state.kind === 'running');
      if (
        (o.statusEvery ?? 60) > 0 &&
        performance.now() - lastStatus > (o.statusEvery ?? 60) * 1000
      ) {
        lastStatus = performance.now();
        if (running.length > 0)
          o.log(`  ${running.map((r) => (r.state as { progress: string }).progress).join('; ')}`);
      }
      const settled = rows.every((r) => r.state.kind === 'done' || r.state.kind === 'failed');
      if (settled || o.signal?.aborted) {
        return {
          complete: settled,
          results: rows.flatMap((r) => (r.state.kind === 'done' ? [r.state.result] : [])),
          failed: rows.flatMap((r) =>
            r.state.kind === 'failed' ? [{ id: r.trial.id, reason: r.state.reason }] : [],
          ),
        };
      }
      await new Promise((resolve) => setTimeout(resolve, (o.pollSeconds ?? 1) * 1000));
    }
  } finally {
    await queue.close();
  }
}
