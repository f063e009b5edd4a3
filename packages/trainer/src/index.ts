/**
 * @ns/trainer — owns the run: Chen 2023's Algorithm 2 (any γ(t) spec, input scaling b, latent
 * self-conditioning, LAMB or AdamW, warm-up + cosine@r, EMA with warm-up) trained through a run
 * folder of ONNX artifacts on stock onnxruntime-node, and sampled from the same folder.
 *
 *   const run = await createRun('runs/x', config);   // config.json, *.onnx, step-0 checkpoint
 *   for await (const step of run.train()) …;          // resumes from the latest intact checkpoint
 *   const images = await run.sample({ count: 64, steps: 100 });
 */

export { publishFolder, writeFileAtomic, writeSynced } from './atomic.js';
export {
  completeRunConfig,
  type DataConfig,
  DEFAULT_TRAIN_CONFIG,
  dataConfigSchema,
  FLOAT32_MAX,
  type ModelConfig,
  modelConfigSchema,
  type NewRunConfig,
  parseRunConfig,
  parseTrainConfig,
  RUN_FORMAT,
  type RunConfig,
  runConfigSchema,
  TRAINER_VERSION,
  type TrainConfig,
  trainConfigSchema,
} from './config.js';
export {
  type ConfigIssue,
  isNsError,
  isTrainerError,
  TrainerError,
  type TrainerErrorCode,
} from './errors.js';
export { type LrDecay, type LrSchedule, learningRate, parseDecay } from './lr.js';
export { type MlpDenoiserOptions, mlpDenoiser, mlpOptionsSchema } from './mlp-denoiser.js';
export { type DataGeometry, netFor, rinForData } from './model.js';
export type { DiffusionNet, NetInputs, NetOutputs, RandomMaskSpec } from './net.js';
export {
  denoiserModel,
  type ObjectiveOptions,
  randomInputName,
  trainingObjective,
} from './objective.js';
export { rinNet } from './rin-net.js';
export { type ArtifactsManifest, buildArtifacts, trainingSpec } from './run/artifacts.js';
export { type BatchSource, batchesFor, datasetBatches, loadRunDataset } from './run/batches.js';
export {
  type CheckpointData,
  type CheckpointRef,
  firstNonFinite,
  listCheckpoints,
  loadCheckpoint,
  readLatestName,
  saveCheckpoint,
  type TensorShapes,
  type WeightsFile,
  weightsPath,
} from './run/checkpoint.js';
export {
  BOUND_WEIGHTS_FILE,
  checkpointDir,
  checkpointName,
  RUN_FILES,
  runPath,
} from './run/layout.js';
export {
  isProcessAlive,
  type LockHolder,
  type LockOptions,
  pidSpace,
  RunLock,
} from './run/lock.js';
export { lossChart, writeLossChart } from './run/loss-chart.js';
export { assertBatchFits, estimateStepBytes, memoryLimit } from './run/memory.js';
export { type MetricsLine, parseMetrics, readMetricsFile } from './run/metrics.js';
export {
  type CreateRunOptions,
  createRun,
  type OpenRunOptions,
  openRun,
  Run,
  type RunOptions,
  runStep,
} from './run/run.js';
export {
  type EvalSession,
  type EvalSessionOptions,
  openEvalSession,
  type SampleOptions,
  type SampleResult,
  sampleRun,
  shardBatches,
} from './run/sample.js';
export { type SampleFiles, writeSampleFiles } from './run/sample-files.js';
export type { StepRecord, TrainRunOptions } from './run/train.js';
export { type DataSource, type RunSettings, runConfigFromSettings } from './settings.js';
export {
  EXIT_CODES_HELP,
  EXIT_FORCED,
  EXIT_INTERRUPTED,
  type Interruption,
  onInterrupt,
} from './signals.js';
export {
  type DrawnInput,
  type DrawOptions,
  drawStepInputs,
  type StepDraws,
  type StepInputSpec,
  stepInputSpec,
} from './step-inputs.js';
export {
  commitStepSession,
  createStepSession,
  type Feed,
  type MultiStepResult,
  type StepResult,
  StepSession,
  type StepSessionInit,
  stackSteps,
} from './step-session.js';
export { describeSystemError, hasCode } from './system-errors.js';
export { describeIssues, parseWith, show } from './validation.js';
export {
  formatWeighting,
  lossWeights,
  parseWeighting,
  WEIGHTING_FORMS,
  type Weighting,
} from './weighting.js';
