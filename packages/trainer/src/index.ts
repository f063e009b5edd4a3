/**
 * @ns/trainer — the training loop of Chen 2023, Algorithm 2 (any γ(t) spec, input scaling b,
 * latent self-conditioning, LAMB or AdamW, warm-up + cosine@r, EMA) on stock onnxruntime-node.
 */

export { writeFileAtomic } from './atomic.js';
export {
  type CheckpointData,
  checkpointDir,
  loadLatestCheckpoint,
  saveCheckpoint,
} from './checkpoint.js';
export { DEFAULT_TRAIN_CONFIG, type TrainConfig, validateTrainConfig } from './config.js';
export { type LrDecay, type LrSchedule, learningRate, parseDecay } from './lr.js';
export { type MlpDenoiserOptions, mlpDenoiser } from './mlp-denoiser.js';
export type { DiffusionNet, NetInputs, NetOutputs, RandomMaskSpec } from './net.js';
export {
  denoiserModel,
  type ObjectiveOptions,
  randomInputName,
  trainingObjective,
} from './objective.js';
export { rinNet } from './rin-net.js';
export {
  type DrawnInput,
  type DrawOptions,
  drawStepInputs,
  type StepDraws,
} from './step-inputs.js';
export {
  type BatchSource,
  exportEvalModel,
  type StepRecord,
  type TrainOptions,
  train,
} from './train.js';
