/**
 * One trial of a sweep, start to finish, in this process: train (or resume) an ordinary run
 * directory to the grid's budget, then sample with the fixed sampler and measure the distance.
 * Every phase leaves a file behind (checkpoints, trained.json, result.json), so a killed trial
 * picks up where it stopped and a finished one is never redone.
 */
import { join } from 'node:path';
import { type Dataset, loadDataset } from '@ns/data';
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
import { distanceToReference, ensureReference } from './evaluate.js';
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
 * Runs what is left of one trial and returns its result, or undefined when it stopped before
 * the budget was spent (interrupted; run it again to continue).
 */
export async function runTrial(o: TrialOptions): Promise<TrialResult | undefined> {
  const runDir = trialDir(o.sweepDir, o.trial.id);
  const done = readTrialResult(o.sweepDir, o.trial.id);
  if (done) return done;
  const { run, data } = await trialRun(o, runDir);
  try {
    return await trainAndEvaluate(o, run, data);
  } finally {
    await run.release();
  }
}

async function trainAndEvaluate(
  o: TrialOptions,
  run: Run,
  data: Dataset | undefined,
): Promise<TrialResult | undefined> {
  const runDir = run.dir;
  const trainedPath = join(runDir, 'trained.json');
  let trained = readJson<TrainedRecord>(trainedPath);
  if (trained === undefined) {
    trained = await trainToBudget(o, run, data);
    if (trained === undefined) return undefined;
    await writeJsonAtomic(trainedPath, trained);
  }

  o.log(
    `evaluating: ${o.grid.eval.samples} samples, ${o.grid.eval.sampler} ${o.grid.eval.steps} steps`,
  );
  const started = performance.now();
  const e = o.grid.eval;
  const reference = await ensureReference(o.sweepDir, o.grid, o.trial.resolution, o.threads);
  const drawn = await run.sample({
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
  });
  const samples = await writeSampleFiles(drawn, join(runDir, 'eval'), { individual: false });
  const distance = await distanceToReference(samples.npz, reference, e.features, o.threads);
  const result: TrialResult = {
    ...o.trial,
    ...distance,
    step: trained.step,
    finalLoss: trained.finalLoss,
    trainSeconds: trained.trainSeconds,
    evalSeconds: (performance.now() - started) / 1000,
  };
  await writeJsonAtomic(join(runDir, 'result.json'), result);
  o.log(`${result.metric} ${result.value.toFixed(3)} at step ${result.step}`);
  return result;
}
