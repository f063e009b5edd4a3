/**
 * `ns sweep`: every trial of a grid, each in a child process (trial-process.js) so that trials run
 * side by side with their own onnxruntime sessions and a crash takes down one trial, not the
 * sweep. The sweep folder is the whole state: run it again to skip finished trials and resume
 * interrupted ones from their checkpoints.
 */
import type { ChildProcess } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { availableParallelism, loadavg } from 'node:os';
import { join } from 'node:path';
import { loadDataset } from '@ns/data';
import { chooseSpinning, type Device } from '@ns/graph';
import { ensureReference } from './evaluate.js';
import { readTrialResult, settleGrid, type TrialState, trialDir, trialState } from './folder.js';
import { expandTrials, type SweepGrid } from './grid.js';
import { runPool, threadsPerJob } from './pool.js';
import { trialModel } from './trial-model.js';
import { startTrialProcess } from './trial-spawn.js';
import type { TrialResult } from './types.js';

export interface SweepOptions {
  readonly out: string;
  /** Required for a new sweep folder; optional (must match) for an existing one. */
  readonly grid?: SweepGrid;
  readonly jobs: number;
  /** Threads for the whole sweep (default: all cores), split evenly between the jobs. */
  readonly threads?: number;
  readonly device: Device;
  /**
   * The command a trial process runs, before `<sweepDir> <trialId> --threads … --device …`
   * (default: this package's trial-process.js under the running Node).
   */
  readonly trialCommand?: readonly string[];
  /** Status lines (stderr by default). */
  readonly log: (line: string) => void;
  /** Seconds between lines on the running trials' progress (default 60; 0 = none). */
  readonly statusEvery?: number;
}

export interface SweepOutcome {
  readonly results: TrialResult[];
  readonly failed: Array<{ id: string; log: string; code: number | null }>;
  /** Trials neither finished nor failed: interrupted, or run by another process. */
  readonly unfinished: string[];
}

export function minutes(seconds: number): string {
  return seconds < 90 ? `${seconds.toFixed(0)} s` : `${(seconds / 60).toFixed(1)} min`;
}

/**
 * Builds every resolution's RIN before anything trains, so a bad `model` or `patchSize` fails at
 * once, and warns where a token is narrower than its patch: an ε-predicting RIN must write every
 * pixel of the patch back out of one token, and with fewer dimensions than pixels its loss stalls.
 */
export function checkModels(grid: SweepGrid, log: (line: string) => void): void {
  const geometry = loadDataset(grid.heldOut, { limit: 1 });
  for (const resolution of grid.resolutions) {
    const rin = trialModel(grid, resolution, geometry);
    const pixels = rin.patchSize * rin.patchSize * rin.channels;
    if (rin.interfaceDim < pixels) {
      log(
        `warning: at ${resolution}×${resolution} a ${rin.patchSize}×${rin.patchSize} patch has ${pixels} values but the interface tokens only ${rin.interfaceDim} dimensions; the model cannot write its prediction back (raise model.interfaceDim or lower patchSize)`,
      );
    }
  }
}

/** `id step 1200/4000`, or `id evaluating` once training is done: from the trial's own files. */
export function progressOf(sweepDir: string, id: string, grid: SweepGrid): string {
  const dir = trialDir(sweepDir, id);
  if (existsSync(join(dir, 'trained.json'))) return `${id} evaluating`;
  const metrics = join(dir, 'metrics.jsonl');
  if (!existsSync(metrics)) return `${id} starting`;
  const text = readFileSync(metrics, 'utf8').trimEnd();
  const last = text.slice(text.lastIndexOf('\n') + 1);
  let step = 0;
  try {
    step = last === '' ? 0 : (JSON.parse(last) as { step: number }).step;
  } catch {
    return `${id} running`; // caught the line half-written
  }
  const total = 'steps' in grid.budget ? grid.budget.steps : undefined;
  return `${id} step ${step}${total === undefined ? '' : `/${total}`}`;
}

export async function runSweep(o: SweepOptions): Promise<SweepOutcome> {
  const grid = await settleGrid(o.out, o.grid);
  const trials = expandTrials(grid);
  const states = new Map(
    await Promise.all(trials.map(async (t) => [t.id, await trialState(o.out, t.id)] as const)),
  );
  const pending = trials.filter((t) => states.get(t.id) === 'resume' || states.get(t.id) === 'new');
  const count = (state: TrialState) => [...states.values()].filter((s) => s === state).length;
  const threads = threadsPerJob(o.threads ?? availableParallelism(), o.jobs);
  o.log(
    `${trials.length} trial${trials.length === 1 ? '' : 's'}: ${count('done')} done, ${count('resume')} to resume, ${count('new')} new` +
      `${count('running elsewhere') > 0 ? `, ${count('running elsewhere')} running elsewhere` : ''}` +
      `; ${o.jobs} job${o.jobs > 1 ? 's' : ''} × ${threads} thread${threads > 1 ? 's' : ''}`,
  );
  // Measured (tools/bench/rin/spinning.mjs): spinning helps only a process that has the cores
  // to itself, and trials side by side share them. Chosen before any trial adds to the load.
  const spin = chooseSpinning({
    threads,
    cores: availableParallelism(),
    concurrentJobs: o.jobs,
    otherLoad: loadavg()[0]!,
  });
  o.log(spin.reason);
  checkModels(grid, o.log);
  // Reference statistics first, once per resolution, so parallel trials only read them.
  for (const resolution of new Set(pending.map((t) => t.resolution))) {
    await ensureReference(o.out, grid, resolution, threads * o.jobs);
  }

  let stopping = false;
  const onSigint = () => {
    // The trial processes share the terminal, so they got the same Ctrl-C and checkpoint.
    if (stopping) return;
    stopping = true;
    o.log('stopping: no new trials; running ones checkpoint and stop (run again to resume)');
  };
  const children = new Set<ChildProcess>();
  // `kill <pid>` reaches only this process: pass it on as the interrupt the trials handle.
  const onSigterm = () => {
    onSigint();
    for (const child of children) child.kill('SIGINT');
  };
  process.on('SIGTERM', onSigterm);
  process.on('SIGINT', onSigint);
  const failed: SweepOutcome['failed'] = [];
  let finished = count('done');
  const started = performance.now();
  const running = new Set<string>();
  const statusEvery = o.statusEvery ?? 60;
  const ticker =
    statusEvery > 0
      ? setInterval(() => {
          if (running.size > 0)
            o.log(`  ${[...running].map((id) => progressOf(o.out, id, grid)).join('; ')}`);
        }, statusEvery * 1000)
      : undefined;
  ticker?.unref();
  try {
    await runPool(
      pending,
      o.jobs,
      async (trial) => {
        o.log(`start ${trial.id}${states.get(trial.id) === 'resume' ? ' (resuming)' : ''}`);
        running.add(trial.id);
        const { child, exit } = startTrialProcess({
          sweepDir: o.out,
          trialId: trial.id,
          threads,
          device: o.device,
          spinning: spin.spinning,
          ...(o.trialCommand === undefined ? {} : { command: o.trialCommand }),
        });
        children.add(child);
        const code = await exit.finally(() => {
          children.delete(child);
          running.delete(trial.id);
        });
        const result = readTrialResult(o.out, trial.id);
        const log = join(trialDir(o.out, trial.id), 'log.txt');
        if (code !== 0 && result === undefined && !stopping) {
          failed.push({ id: trial.id, log, code });
          o.log(`FAILED ${trial.id} (exit ${code}); see ${log}`);
        } else if (result) {
          finished++;
          const elapsed = (performance.now() - started) / 1000;
          o.log(
            `[${finished}/${trials.length}] ${trial.id}: ${result.metric} ${result.value.toFixed(3)}` +
              `  (step ${result.step}, train ${minutes(result.trainSeconds)}, eval ${minutes(result.evalSeconds)}; sweep ${minutes(elapsed)})`,
          );
        }
      },
      () => !stopping,
    );
  } finally {
    clearInterval(ticker);
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigterm);
  }
  const results: TrialResult[] = [];
  const unfinished: string[] = [];
  for (const trial of trials) {
    const result = readTrialResult(o.out, trial.id);
    if (result) results.push(result);
    else if (!failed.some((f) => f.id === trial.id)) unfinished.push(trial.id);
  }
  return { results, failed, unfinished };
}
