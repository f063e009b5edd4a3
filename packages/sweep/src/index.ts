/**
 * @ns/sweep — the paper's noise-schedule study (Chen 2023, Tables 3 and 4) as a grid of ordinary
 * training runs: schedules × input scales b × resolutions × seeds, each trained to one budget,
 * sampled with one fixed sampler and measured by FD against held-out images at its resolution.
 * The sweep folder is its whole state; running it again skips finished trials and resumes
 * interrupted ones.
 *
 *   const grid = parseGrid(JSON.parse(readFileSync('grid.json', 'utf8')));
 *   const outcome = await runSweep({ out: 'runs/sweep', grid, jobs: 2, device: 'cpu', log: console.error });
 *   await writeSweepReport('runs/sweep');
 */
export {
  distanceOfShards,
  distanceToReference,
  ensureReference,
  featureMoments,
  featureSnapshot,
  referencePath,
  shardMomentsPath,
} from './evaluate.js';
export {
  gridChange,
  gridPath,
  readSweepGrid,
  readTrialResult,
  settleGrid,
  type TrialState,
  trialDir,
  trialState,
} from './folder.js';
export {
  type Budget,
  DEFAULT_EVAL_SETTINGS,
  DEFAULT_TRAIN_SETTINGS,
  type EvalSettings,
  expandTrials,
  parseGrid,
  plannedSteps,
  type SweepGrid,
  slug,
  type TrainSettings,
  type TrialSpec,
  trialId,
} from './grid.js';
export { type MosaicOptions, sampleMosaic } from './mosaic.js';
export { EXIT_RUN_LOCKED, EXIT_UNRECOVERABLE, formatPhase, parsePhase } from './phase.js';
export { runPool, threadsPerJob } from './pool.js';
export { formatValue, type SweepReport, type SweepReportOptions, sweepReport } from './report.js';
export { logSnrChart, metricVsScaleChart } from './report-charts.js';
export { writeSweepReport } from './report-files.js';
export { type Cell, type ResultTable, tabulateResults } from './result-table.js';
export {
  checkModels,
  minutes,
  progressOf,
  runSweep,
  type SweepOptions,
  type SweepOutcome,
} from './sweep.js';
export {
  runTrial,
  runTrialPhase,
  type TrialOptions,
  type TrialOutcome,
  type TrialPhase,
  trialRunConfig,
} from './trial.js';
export { trialModel } from './trial-model.js';
export {
  lastTrialError,
  startTrialProcess,
  type TrialProcess,
  type TrialProcessOptions,
} from './trial-spawn.js';
export type { TrialKey, TrialResult } from './types.js';
