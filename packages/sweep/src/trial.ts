/**
 * One trial of a sweep, start to finish, in this process: train (or resume) an ordinary run
 * directory to the grid's budget, then sample with the fixed sampler and measure the distance.
 * Every phase leaves a file behind (checkpoints, trained.json, result.json), so a killed trial
 * picks up where it stopped and a finished one is never redone.
 */
import { copyFileSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type Dataset, loadDataset } from '@ns/data';
import { writeMoments } from '@ns/eval-fid';
import type { Device } from '@ns/graph';
import {
  createRun,
  datasetBatches,
  type NewRunConfig,
  openRun,
  type Run,
  readMetricsFile,
  runConfigFromSettings,
  runPath,
  runStep,
  writeLossChart,
  writeSampleFiles,
} from '@ns/trainer';
import {
  distanceOfShards,
  distanceToReference,
  ensureReference,
  featureSnapshot,
  shardMomentsPath,
} from './evaluate.js';
import { readJson, readTrialResult, trialDir, writeJsonAtomic } from './folder.js';
import { plannedSteps, type SweepGrid, type TrialSpec } from './grid.js';
import { trialModel } from './trial-model.js';
import type { TrialResult } from './types.js';

/** Written when training reached the budget; evaluation may still be missing. */
interface TrainedRecord {
  readonly step: number;
  readonly trainSeconds: number;
  readonly finalLoss: number;
}

/** The run configuration of a trial: the grid's settings at the trial's coordinates. */
export function trialRunConfig(grid: SweepGrid, trial: TrialSpec, data: Dataset): NewRunConfig {
  const rin = trialModel(grid, trial.resolution, data);
  return runConfigFromSettings(
    {
      ...grid.train,
      seed: trial.seed,
      steps: plannedSteps(grid.budget),
      schedule: trial.schedule,
      inputScale: trial.inputScale,
    },
    { kind: 'rin', preset: grid.preset, rin },
    {
      dataset: data,
      name: grid.data,
      size: trial.resolution,
      ...(grid.limit === undefined ? {} : { limit: grid.limit }),
    },
  );
}

/** Seconds of step time up to and including `step` (what a time budget counts). */
async function stepSecondsUpTo(runDir: string, step: number): Promise<number> {
  let seconds = 0;
  for (const line of await readMetricsFile(runPath(runDir, 'metrics')))
    if (line.step <= step) seconds += line.stepTime;
  return seconds;
}

async function meanLossOfLast(runDir: string, count: number): Promise<number> {
  const lines = (await readMetricsFile(runPath(runDir, 'metrics'))).slice(-count);
  return lines.reduce((sum, line) => sum + line.loss, 0) / lines.length;
}

export interface TrialOptions {
  readonly sweepDir: string;
  readonly grid: SweepGrid;
  readonly trial: TrialSpec;
  readonly device: Device;
  readonly threads?: number;
  /** ORT intra-op thread spinning (see @ns/graph's chooseSpinning). */
  readonly spinning?: boolean;
  /** Progress lines (the sweep sends them to the trial's log.txt). */
  readonly log: (line: string) => void;
  /** Stop training after this step (tests: simulate a crash part-way through). */
  readonly stopAfter?: number;
  readonly signal?: AbortSignal;
}

/** The trial's run: created on the first attempt, opened (with its lock) on later ones. */
async function trialRun(o: TrialOptions, runDir: string): Promise<{ run: Run; data?: Dataset }> {
  const onNotice = (m: string) => o.log(m);
  if ((await runStep(runDir)) !== undefined) {
    return {
      run: await openRun(runDir, {
        write: true,
        onNotice,
        lock: { purpose: `sweep trial ${o.trial.id}` },
      }),
    };
  }
  const data = loadDataset(o.grid.data, {
    size: o.trial.resolution,
    ...(o.grid.limit === undefined ? {} : { limit: o.grid.limit }),
  });
  const run = await createRun(runDir, trialRunConfig(o.grid, o.trial, data), {
    onNotice,
    lock: { purpose: `sweep trial ${o.trial.id}` },
  });
  return { run, data };
}

async function trainToBudget(
  o: TrialOptions,
  run: Run,
  data: Dataset | undefined,
): Promise<TrainedRecord | undefined> {
  const runDir = run.dir;
  const config = run.config;
  const resumeFrom = await run.step();
  let seconds = await stepSecondsUpTo(runDir, resumeFrom);
  const limitSeconds =
    'minutes' in o.grid.budget ? o.grid.budget.minutes * 60 : Number.POSITIVE_INFINITY;
  o.log(
    resumeFrom > 0
      ? `resuming from the checkpoint at step ${resumeFrom} (${seconds.toFixed(0)} s trained)`
      : `training from scratch: ${JSON.stringify({ ...o.trial, model: config.model })}`,
  );
  if (seconds < limitSeconds && resumeFrom < config.steps) {
    // The time budget stops the run through the same path as Ctrl-C: a checkpoint, then the end.
    const budget = new AbortController();
    const signal = o.signal ? AbortSignal.any([o.signal, budget.signal]) : budget.signal;
    for await (const record of run.train({
      ...(data === undefined
        ? {}
        : {
            data: datasetBatches(data, {
              batchSize: config.batch,
              seed: config.seed,
              flip: config.data.flip,
            }),
          }),
      device: o.device,
      ...(o.threads === undefined ? {} : { threads: o.threads }),
      ...(o.spinning === undefined ? {} : { spinning: o.spinning }),
      signal,
      ...(o.stopAfter === undefined ? {} : { stopAfter: o.stopAfter }),
    })) {
      seconds += record.stepTime;
      if (seconds >= limitSeconds) budget.abort();
      if (record.checkpoint !== undefined) {
        o.log(
          `step ${record.step}/${config.steps}  loss ${record.loss.toFixed(4)}  ${record.imagesPerSecond.toFixed(0)} img/s  ${seconds.toFixed(0)} s`,
        );
      }
    }
    await writeLossChart(runDir, `${o.trial.id}`);
  }
  const step = await run.step();
  const reached = step >= config.steps || seconds >= limitSeconds;
  if (!reached) return undefined; // stopped early (Ctrl-C, stopAfter): resume later
  return { step, trainSeconds: seconds, finalLoss: await meanLossOfLast(runDir, 50) };
}

/**
 * What a call does with a trial. `all` is the local pool's whole trial in one process; a queue
 * splits it into `train`, then `shard` jobs that each sample whole batches and write their
 * feature moments, and a `merge` that turns the shards into result.json.
 */
export type TrialPhase =
  | { readonly kind: 'all' }
  | { readonly kind: 'train' }
  | { readonly kind: 'shard'; readonly index: number; readonly count: number }
  | { readonly kind: 'merge'; readonly count: number };

export type TrialOutcome =
  | { readonly kind: 'done'; readonly result: TrialResult }
  | { readonly kind: 'trained'; readonly step: number }
  | { readonly kind: 'shard written'; readonly path: string }
  /** Stopped before the budget (a signal, stopAfter): run it again to continue. */
  | { readonly kind: 'interrupted' };

/**
 * Runs what is left of one trial and returns its result, or undefined when it stopped before
 * the budget was spent (interrupted; run it again to continue).
 */
export async function runTrial(o: TrialOptions): Promise<TrialResult | undefined> {
  const outcome = await runTrialPhase(o, { kind: 'all' });
  return outcome.kind === 'done' ? outcome.result : undefined;
}

/** One phase of a trial (see TrialPhase); every phase is idempotent. */
export async function runTrialPhase(o: TrialOptions, phase: TrialPhase): Promise<TrialOutcome> {
  const runDir = trialDir(o.sweepDir, o.trial.id);
  const done = readTrialResult(o.sweepDir, o.trial.id);
  if (done) return { kind: 'done', result: done };
  if (phase.kind === 'shard' || phase.kind === 'merge') {
    const trained = readJson<TrainedRecord>(join(runDir, 'trained.json'));
    if (trained === undefined) throw new Error(`${runDir}: not trained yet (no trained.json)`);
    if (phase.kind === 'merge')
      return { kind: 'done', result: await mergeShards(o, trained, phase.count) };
    const run = await openRun(runDir);
    return { kind: 'shard written', path: await evaluateShard(o, run, phase) };
  }
  const { run, data } = await trialRun(o, runDir);
  try {
    const trained = await trainedRecord(o, run, data);
    if (trained === undefined) return { kind: 'interrupted' };
    if (phase.kind === 'train') return { kind: 'trained', step: trained.step };
    return { kind: 'done', result: await evaluateWhole(o, run, trained) };
  } finally {
    await run.release();
  }
}

/** trained.json, training to the budget first when it is missing. */
async function trainedRecord(
  o: TrialOptions,
  run: Run,
  data: Dataset | undefined,
): Promise<TrainedRecord | undefined> {
  const trainedPath = join(run.dir, 'trained.json');
  const existing = readJson<TrainedRecord>(trainedPath);
  if (existing !== undefined) return existing;
  const trained = await trainToBudget(o, run, data);
  if (trained !== undefined) await writeJsonAtomic(trainedPath, trained);
  return trained;
}

/** Draws the evaluation samples (one shard of them, or all) with the grid's fixed sampler. */
function drawEvalSamples(o: TrialOptions, run: Run, shard?: { index: number; count: number }) {
  const e = o.grid.eval;
  return run.sample({
    count: e.samples,
    steps: e.steps,
    sampler: e.sampler,
    schedule: e.schedule,
    guidance: 0, // the paper's FIDs use no guidance
    seed: e.seed,
    batch: e.batch,
    weights: 'ema',
    device: o.device,
    ...(o.threads === undefined ? {} : { threads: o.threads }),
    ...(o.spinning === undefined ? {} : { spinning: o.spinning }),
    ...(shard === undefined ? {} : { shard }),
  });
}

async function evaluateWhole(
  o: TrialOptions,
  run: Run,
  trained: TrainedRecord,
): Promise<TrialResult> {
  const e = o.grid.eval;
  o.log(`evaluating: ${e.samples} samples, ${e.sampler} ${e.steps} steps`);
  const started = performance.now();
  const reference = await ensureReference(o.sweepDir, o.grid, o.trial.resolution, o.threads);
  const samples = await writeSampleFiles(await drawEvalSamples(o, run), join(run.dir, 'eval'), {
    individual: false,
  });
  const distance = await distanceToReference(samples.npz, reference, e.features, o.threads);
  return publishResult(o, trained, distance, (performance.now() - started) / 1000);
}

/** Samples shard index/count, writes its images and its feature moments; returns the moments' path. */
async function evaluateShard(
  o: TrialOptions,
  run: Run,
  shard: { index: number; count: number },
): Promise<string> {
  const e = o.grid.eval;
  o.log(`evaluating shard ${shard.index}/${shard.count}: ${e.sampler} ${e.steps} steps`);
  const started = performance.now();
  const path = shardMomentsPath(run.dir, shard.index, shard.count);
  const drawn = await drawEvalSamples(o, run, shard);
  const files = await writeSampleFiles(drawn, dirname(path), { individual: false });
  // Read back from the file, as the unsharded evaluation does: the same bytes either way.
  const moments = await featureSnapshot(loadDataset(files.npz), e.features, o.threads);
  // Seconds spent, for the parent's evalSeconds: beside the moments, published after them.
  await writeJsonAtomic(join(dirname(path), 'shard.json'), {
    seconds: (performance.now() - started) / 1000,
    count: drawn.count,
  });
  const temporary = `${path}.${process.pid}.tmp.npz`;
  writeMoments(temporary, moments);
  renameSync(temporary, path);
  return path;
}

async function mergeShards(
  o: TrialOptions,
  trained: TrainedRecord,
  count: number,
): Promise<TrialResult> {
  const runDir = trialDir(o.sweepDir, o.trial.id);
  const reference = await ensureReference(o.sweepDir, o.grid, o.trial.resolution, o.threads);
  const distance = distanceOfShards(runDir, count, reference, o.grid.eval.features);
  let seconds = 0;
  for (let index = 0; index < count; index++) {
    const dir = dirname(shardMomentsPath(runDir, index, count));
    seconds += readJson<{ seconds: number }>(join(dir, 'shard.json'))?.seconds ?? 0;
  }
  // The report's mosaic shows the first images: shard 0 holds them.
  copyFileSync(
    join(dirname(shardMomentsPath(runDir, 0, count)), 'grid.png'),
    join(runDir, 'eval', 'grid.png'),
  );
  return publishResult(o, trained, distance, seconds);
}

async function publishResult(
  o: TrialOptions,
  trained: TrainedRecord,
  distance: { metric: string; value: number; samples: number },
  evalSeconds: number,
): Promise<TrialResult> {
  const result: TrialResult = {
    ...o.trial,
    ...distance,
    step: trained.step,
    finalLoss: trained.finalLoss,
    trainSeconds: trained.trainSeconds,
    evalSeconds,
  };
  await writeJsonAtomic(join(trialDir(o.sweepDir, o.trial.id), 'result.json'), result);
  o.log(`${result.metric} ${result.value.toFixed(3)} at step ${result.step}`);
  return result;
}
