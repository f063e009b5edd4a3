/**
 * Will a training step fit? Estimated before anything is allocated, from the training graph's
 * static shapes (artifacts.json's graphBytes: every tensor of the step, linear in the batch),
 * against the machine's memory (its cgroup limit when it has one). ORT reuses buffers, so the
 * tensors are never all alive at once: MEASURED_FRACTION, the growth of the peak resident memory
 * of real steps per example over the graph's sum per example, turns the sum into an estimate.
 * Measured with /usr/bin/time on 2-step `ns train` runs: mnist preset 0.30 (batch 32 → 512),
 * tiny 0.43 (64 → 512), emoji 0.31 (256); the largest is used, so the estimate errs high.
 */
import { readFileSync } from 'node:fs';
import { totalmem } from 'node:os';
import { TrainerError } from '../errors.js';
import type { ArtifactsManifest } from './artifacts.js';

/** Peak RSS growth of a training step over the graph's tensor sum, per example (see above). */
export const MEASURED_FRACTION = 0.45;
/** Node, onnxruntime and the data set beside the step (measured: 236 MB with 2048 MNIST digits). */
const BASELINE_BYTES = 300 * 2 ** 20;

/** The memory this process may use: the cgroup limit when set, else the machine's total. */
export function memoryLimit(): number {
  for (const file of ['/sys/fs/cgroup/memory.max', '/sys/fs/cgroup/memory/memory.limit_in_bytes']) {
    try {
      const text = readFileSync(file, 'utf8').trim();
      const limit = Number(text);
      if (Number.isFinite(limit) && limit > 0 && limit < totalmem()) return limit;
    } catch {
      // no cgroup file here
    }
  }
  return totalmem();
}

export function estimateStepBytes(manifest: ArtifactsManifest, batch: number): number {
  const { fixed, perExample } = manifest.graphBytes;
  return BASELINE_BYTES + MEASURED_FRACTION * (fixed + perExample * batch);
}

const gib = (bytes: number) => `${(bytes / 2 ** 30).toFixed(1)} GiB`;

/** Throws TrainerError('out_of_memory') with the estimate and the largest batch that fits. */
export function assertBatchFits(
  manifest: ArtifactsManifest,
  batch: number,
  limit = memoryLimit(),
): void {
  const need = estimateStepBytes(manifest, batch);
  if (need <= limit) return;
  const { fixed, perExample } = manifest.graphBytes;
  const largest = Math.floor(
    ((limit - BASELINE_BYTES) / MEASURED_FRACTION - fixed) / Math.max(perExample, 1),
  );
  throw new TrainerError(
    'out_of_memory',
    `a training step at --batch ${batch} needs about ${gib(need)} (estimated from the training graph), more than this machine's ${gib(limit)}; ${largest >= 1 ? `the largest batch that fits is about ${largest}` : 'even batch 1 does not fit: choose a smaller model'}`,
  );
}
