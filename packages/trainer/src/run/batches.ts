/**
 * Training batches: any source whose position can be saved and restored (a checkpoint stores it,
 * so a resumed run sees the batches the continuous run would have); by default @ns/data's
 * seeded BatchIterator over the data set the run's config names.
 */
import { BatchIterator, type BatchIteratorState, type Dataset, loadDataset } from '@ns/data';
import type { RunConfig } from '../config.js';

export interface BatchSource {
  /** The next batch: uint8 images NHWC (`batch` of them) and class ids when labelled. */
  next(): { readonly images: Uint8Array; readonly labels?: Int32Array | undefined };
  /** JSON-serialisable position (epoch, index, RNG state). */
  state(): unknown;
  restore(state: unknown): void;
}

/** @ns/data's BatchIterator as a BatchSource (restore replaces the iterator). */
export function datasetBatches(
  dataset: Dataset,
  options: { batchSize: number; seed: number; flip: boolean },
): BatchSource {
  let iterator = new BatchIterator(dataset, { ...options, shuffle: true });
  return {
    next() {
      const batch = iterator.next();
      return { images: batch.images, labels: batch.labels };
    },
    state: () => iterator.state(),
    restore(state) {
      iterator = BatchIterator.restore(dataset, state as BatchIteratorState);
    },
  };
}

/** The data set a run's config names, loaded again (size and limit as recorded). */
export function loadRunDataset(config: Pick<RunConfig, 'data'>): Dataset {
  const { name, size, limit } = config.data;
  return loadDataset(name, {
    ...(size === undefined ? {} : { size }),
    ...(limit === undefined ? {} : { limit }),
  });
}

/** The batches of a run's own data, in its seeded order. */
export function batchesFor(config: RunConfig): BatchSource {
  return datasetBatches(loadRunDataset(config), {
    batchSize: config.batch,
    seed: config.seed,
    flip: config.data.flip,
  });
}
