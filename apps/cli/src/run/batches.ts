/** @ns/data's BatchIterator as the trainer's BatchSource (restore replaces the iterator). */
import { BatchIterator, type BatchIteratorState, type Dataset } from '@ns/data';
import type { BatchSource } from '@ns/trainer';

export function batchSource(
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
