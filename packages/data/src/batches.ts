import { Rng, type RngState } from '@ns/random';
import { type Dataset, imageSize } from './dataset.js';
import { assertPositiveInt } from './image/image.js';
import { flipHorizontalInPlace } from './image/resize.js';

export interface BatchOptions {
  batchSize: number;
  /** Seed for shuffling and flips (a safe integer ≥ 0; @ns/random streams use its low 32 bits). */
  seed: number;
  /** Visit the images in a fresh random order each epoch (default true); else in file order. */
  shuffle?: boolean;
  /** Mirror each image left–right with probability ½ (default false). */
  flip?: boolean;
}

/**
 * Everything needed to continue the batch stream exactly where it stopped. Plain JSON.
 * The permutation of epoch e is a pure function of (seed, e), so it is not stored.
 * Version 2: streams from @ns/random (version 1 was xoshiro128**, whose order cannot be continued).
 */
export interface BatchIteratorState {
  readonly version: 2;
  readonly dataset: { readonly name: string; readonly count: number };
  readonly batchSize: number;
  readonly seed: number;
  readonly shuffle: boolean;
  readonly flip: boolean;
  /** Epoch of the next example to be served. */
  readonly epoch: number;
  /** Position of the next example within that epoch's order. */
  readonly position: number;
  /** Batches served so far. */
  readonly step: number;
  /** Position of the flip stream (@ns/random's `Rng.state()`). */
  readonly flipRng: RngState;
}

export interface Batch {
  /** batchSize images, NHWC uint8, copied (safe to modify). */
  readonly images: Uint8Array;
  readonly labels: Int32Array | undefined;
  /** Which data set image each slot holds. */
  readonly indices: Int32Array;
  /** 1 where the image was mirrored. */
  readonly flipped: Uint8Array;
  /** Index of this batch in the stream (0 for the first). */
  readonly step: number;
  /** Epoch of the first image in the batch. */
  readonly epoch: number;
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly channels: 1 | 3;
}

// Streams under the one seed, derived by name: epoch e shuffles with fold('shuffle').fold(e),
// flips draw from fold('flip'); so neither depends on how many draws the other made.
const SHUFFLE_STREAM = 'shuffle';
const FLIP_STREAM = 'flip';
const STATE_VERSION = 2;

/**
 * An endless stream of full batches. Each epoch visits every image once, in an order drawn
 * from (seed, epoch); a batch that reaches the end of an epoch is completed from the next one,
 * so every batch has exactly `batchSize` images even when the set is smaller than a batch.
 * Flips draw one bit per served image from their own stream, so turning shuffling off or on does
 * not change which positions are flipped.
 */
export class BatchIterator {
  readonly dataset: Dataset;
  readonly batchSize: number;
  readonly seed: number;
  readonly shuffle: boolean;
  readonly flip: boolean;
  private epoch = 0;
  private position = 0;
  private step = 0;
  private flipRng: Rng;
  private order: Int32Array;
  private orderEpoch = -1;

  constructor(dataset: Dataset, options: BatchOptions) {
    assertPositiveInt('batchSize', options.batchSize);
    this.dataset = dataset;
    this.batchSize = options.batchSize;
    this.seed = options.seed;
    this.shuffle = options.shuffle ?? true;
    this.flip = options.flip ?? false;
    this.flipRng = new Rng(this.seed).fold(FLIP_STREAM); // validates the seed
    this.order = new Int32Array(dataset.count);
  }

  /** Continues a stream saved with `state()`; the data set must be the same one. */
  static restore(dataset: Dataset, state: BatchIteratorState): BatchIterator {
    if (state?.version !== STATE_VERSION) {
      const old =
        (state as { version?: unknown } | undefined)?.version === 1
          ? ' (saved by an older @ns/data whose xoshiro128** data order cannot be continued: start the run again)'
          : '';
      throw new Error(
        `state.version: expected ${STATE_VERSION}, got ${JSON.stringify(state?.version)}${old}`,
      );
    }
    if (state.dataset.name !== dataset.name || state.dataset.count !== dataset.count) {
      throw new Error(
        `state.dataset: saved for ${state.dataset.name} (${state.dataset.count} images), but the data set is ${dataset.name} (${dataset.count} images)`,
      );
    }
    const iterator = new BatchIterator(dataset, state);
    if (!Number.isSafeInteger(state.epoch) || state.epoch < 0) {
      throw new RangeError(`state.epoch: expected an integer ≥ 0, got ${state.epoch}`);
    }
    if (
      !Number.isInteger(state.position) ||
      state.position < 0 ||
      state.position >= dataset.count
    ) {
      throw new RangeError(
        `state.position: expected an integer in [0, ${dataset.count}), got ${state.position}`,
      );
    }
    if (!Number.isSafeInteger(state.step) || state.step < 0) {
      throw new RangeError(`state.step: expected an integer ≥ 0, got ${state.step}`);
    }
    iterator.epoch = state.epoch;
    iterator.position = state.position;
    iterator.step = state.step;
    iterator.flipRng = Rng.fromState(state.flipRng);
    return iterator;
  }

  /** A JSON-safe snapshot; `BatchIterator.restore(dataset, state)` continues from here. */
  state(): BatchIteratorState {
    return {
      version: STATE_VERSION,
      dataset: { name: this.dataset.name, count: this.dataset.count },
      batchSize: this.batchSize,
      seed: this.seed,
      shuffle: this.shuffle,
      flip: this.flip,
      epoch: this.epoch,
      position: this.position,
      step: this.step,
      flipRng: this.flipRng.state(),
    };
  }

  /** The order in which epoch `epoch` visits the images. */
  epochOrder(epoch: number): Int32Array {
    const order = new Int32Array(this.dataset.count);
    for (let i = 0; i < order.length; i++) order[i] = i;
    if (this.shuffle) new Rng(this.seed).fold(SHUFFLE_STREAM).fold(epoch).shuffle(order);
    return order;
  }

  next(): Batch {
    const { dataset, batchSize } = this;
    const size = imageSize(dataset);
    const images = new Uint8Array(batchSize * size);
    const labels = dataset.labels ? new Int32Array(batchSize) : undefined;
    const indices = new Int32Array(batchSize);
    const flipped = new Uint8Array(batchSize);
    const firstEpoch = this.epoch;
    for (let slot = 0; slot < batchSize; slot++) {
      if (this.orderEpoch !== this.epoch) {
        this.order = this.epochOrder(this.epoch);
        this.orderEpoch = this.epoch;
      }
      const index = this.order[this.position]!;
      indices[slot] = index;
      images.set(dataset.images.subarray(index * size, (index + 1) * size), slot * size);
      if (labels) labels[slot] = dataset.labels![index]!;
      if (this.flip && this.flipRng.nextUint32() >>> 31 === 1) {
        flipped[slot] = 1;
        flipHorizontalInPlace(images, dataset.height, dataset.width, dataset.channels, slot * size);
      }
      if (++this.position === dataset.count) {
        this.position = 0;
        this.epoch++;
      }
    }
    return {
      images,
      labels,
      indices,
      flipped,
      step: this.step++,
      epoch: firstEpoch,
      count: batchSize,
      height: dataset.height,
      width: dataset.width,
      channels: dataset.channels,
    };
  }

  [Symbol.iterator](): Iterator<Batch> {
    return { next: () => ({ done: false, value: this.next() }) };
  }
}
