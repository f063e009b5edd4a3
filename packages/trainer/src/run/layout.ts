/**
 * The files of a run folder. A run is a folder of artifacts:
 *
 *   config.json            the run's configuration: the only source of truth (run/config schema)
 *   artifacts.json         what creation derived from it: parameter shapes, data inputs, the
 *                          step's random inputs, file sizes and sha256 (never edited)
 *   training_model.onnx    the fused step: forward, loss, backward, optimizer, EMA (written once)
 *   training_model.loop.onnx  the same step in an ONNX Loop: K updates per run (--steps-per-run)
 *   eval_model.onnx        forward only; its weights are external data bound to a checkpoint's
 *                          model.safetensors or ema.safetensors at session creation (written once)
 *   checkpoints/step-N/    model.safetensors, optimizer.safetensors, ema.safetensors, state.json
 *   checkpoints/LATEST     the name of the newest published checkpoint
 *   metrics.jsonl          one line per step
 *   lock.json              the lease of the one process writing the run
 *   samples/               grids and images drawn from the run
 */
import { join } from 'node:path';

export const RUN_FILES = {
  config: 'config.json',
  artifacts: 'artifacts.json',
  trainingModel: 'training_model.onnx',
  trainingLoopModel: 'training_model.loop.onnx',
  evalModel: 'eval_model.onnx',
  checkpoints: 'checkpoints',
  metrics: 'metrics.jsonl',
  lock: 'lock.json',
  samples: 'samples',
} as const;

/** The name eval_model.onnx gives its weights file; a checkpoint file is bound to it. */
export const BOUND_WEIGHTS_FILE = 'weights.safetensors';

/** What `--overwrite` removes before a new run is written into the folder. */
export const RUN_OUTPUTS = [
  RUN_FILES.config,
  RUN_FILES.artifacts,
  RUN_FILES.trainingModel,
  RUN_FILES.trainingLoopModel,
  RUN_FILES.evalModel,
  RUN_FILES.checkpoints,
  RUN_FILES.metrics,
  RUN_FILES.samples,
  'loss.svg',
  'loss.png',
] as const;

export const runPath = (dir: string, file: keyof typeof RUN_FILES): string =>
  join(dir, RUN_FILES[file]);

/** `step-00000040`: names sort by step. */
export const checkpointName = (step: number): string => `step-${String(step).padStart(8, '0')}`;

export const CHECKPOINT_NAME = /^step-(\d{8,})$/;

/** The folder the checkpoint of `step` is (or will be) published as. */
export function checkpointDir(runDir: string, step: number): string {
  return join(runDir, RUN_FILES.checkpoints, checkpointName(step));
}
