import { Rng } from '@ns/random';
import { type Batch, BatchIterator, type BatchIteratorState } from '../src/batches.js';
import { createDataset, type Dataset } from '../src/dataset.js';
import { noiseBytes } from './helpers.js';

function toyDataset(count = 23, name = 'toy'): Dataset {
  return createDataset({
    images: noiseBytes(count * 4 * 5 * 3, count),
    count,
    height: 4,
    width: 5,
    channels: 3,
    labels: Int32Array.from({ length: count }, (_, i) => i % 4),
    name,
    licence: 'test data',
  });
}

function take(iterator: BatchIterator, n: number): Batch[] {
  return Array.from({ length: n }, () => iterator.next());
}

function sameBatch(a: Batch, b: Batch): boolean {
  return (
    Buffer.from(a.images).equals(Buffer.from(b.images)) &&
    Buffer.from(a.indices.buffer).equals(Buffer.from(b.indices.buffer)) &&
    Buffer.from(a.labels!.buffer).equals(Buffer.from(b.labels!.buffer)) &&
    Buffer.from(a.flipped).equals(Buffer.from(b.flipped)) &&
    a.step === b.step &&
    a.epoch === b.epoch
  );
}

describe('BatchIterator', () => {
  const dataset = toyDataset();

  test('the same seed gives the same batches; another seed another order', () => {
    const options = { batchSize: 5, seed: 11, flip: true };
    const a = take(new BatchIterator(dataset, options), 12);
    const b = take(new BatchIterator(dataset, options), 12);
    for (const [i, batch] of a.entries()) expect(sameBatch(batch, b[i]!)).toBe(true);
    const c = take(new BatchIterator(dataset, { ...options, seed: 12 }), 1)[0]!;
    expect(Array.from(c.indices)).not.toEqual(Array.from(a[0]!.indices));
  });

  test('each epoch visits every image exactly once, in a new order', () => {
    const iterator = new BatchIterator(dataset, { batchSize: 23, seed: 1 });
    const epochs = take(iterator, 3).map((b) => Array.from(b.indices));
    for (const order of epochs)
      expect([...order].sort((x, y) => x - y)).toEqual([...Array(23).keys()]);
    expect(epochs[0]).not.toEqual(epochs[1]);
    expect(epochs[1]).not.toEqual(epochs[2]);
  });

  test('batches run across epoch boundaries and stay full, even when larger than the set', () => {
    const iterator = new BatchIterator(dataset, { batchSize: 10, seed: 2 });
    const [b0, b1, b2] = take(iterator, 3);
    expect([b0!.epoch, b1!.epoch, b2!.epoch]).toEqual([0, 0, 0]); // epoch of each batch’s first image
    const firstEpoch = [...b0!.indices, ...b1!.indices, ...b2!.indices.subarray(0, 3)];
    expect(new Set(firstEpoch).size).toBe(23);
    expect(Array.from(b2!.indices.subarray(3))).toEqual(
      Array.from(iterator.epochOrder(1).subarray(0, 7)),
    );
    const big = new BatchIterator(toyDataset(3), { batchSize: 8, seed: 0 }).next();
    expect(big.images.length).toBe(8 * 4 * 5 * 3);
    expect(big.count).toBe(8);
  });

  test('batch contents are the indexed images and labels; flips mirror them', () => {
    const iterator = new BatchIterator(dataset, { batchSize: 23, seed: 4, flip: true });
    const batch = iterator.next();
    const size = 4 * 5 * 3;
    let flips = 0;
    for (let slot = 0; slot < 23; slot++) {
      const index = batch.indices[slot]!;
      expect(batch.labels![slot]).toBe(index % 4);
      const original = dataset.images.subarray(index * size, (index + 1) * size);
      const got = batch.images.subarray(slot * size, (slot + 1) * size);
      for (let y = 0; y < 4; y++) {
        for (let x = 0; x < 5; x++) {
          const sx = batch.flipped[slot] ? 4 - x : x;
          for (let c = 0; c < 3; c++)
            expect(got[(y * 5 + x) * 3 + c]).toBe(original[(y * 5 + sx) * 3 + c]);
        }
      }
      flips += batch.flipped[slot]!;
    }
    expect(flips).toBeGreaterThan(3);
    expect(flips).toBeLessThan(20);
  });

  test('an unlabelled set gives batches without labels', () => {
    const unlabelled = createDataset({
      ...toyDataset(),
      labels: undefined,
      numClasses: 0,
      name: 'plain',
    });
    const batch = new BatchIterator(unlabelled, { batchSize: 4, seed: 0 }).next();
    expect(batch.labels).toBeUndefined();
    expect(unlabelled.numClasses).toBe(0);
  });

  test('epoch e is @ns/random’s shuffle of stream (seed, "shuffle", e); flips its "flip" stream', () => {
    const iterator = new BatchIterator(dataset, { batchSize: 23, seed: 77, flip: true });
    for (const epoch of [0, 1, 5]) {
      const expected = new Rng(77)
        .fold('shuffle')
        .fold(epoch)
        .shuffle(Int32Array.from({ length: 23 }, (_, i) => i));
      expect(Array.from(iterator.epochOrder(epoch))).toEqual(Array.from(expected));
    }
    const flips = new Rng(77).fold('flip');
    const batch = iterator.next();
    expect(Array.from(batch.flipped)).toEqual(
      Array.from({ length: 23 }, () => flips.nextUint32() >>> 31),
    );
  });

  test('shuffle: false serves file order; flip: false never flips', () => {
    const batch = new BatchIterator(dataset, { batchSize: 6, seed: 9, shuffle: false }).next();
    expect(Array.from(batch.indices)).toEqual([0, 1, 2, 3, 4, 5]);
    expect(batch.flipped.every((f) => f === 0)).toBe(true);
  });

  describe('save and restore', () => {
    // Stop after k batches (mid-epoch, exactly at an epoch end, several epochs in), restore from
    // the JSON text, and compare the next batches with an uninterrupted run, byte for byte.
    test.each([
      0, 1, 3, 4, 9, 23,
    ])('resuming after %i batches reproduces the stream exactly', (k) => {
      const options = { batchSize: 7, seed: 123456789, flip: true };
      const continuous = take(new BatchIterator(dataset, options), k + 15);
      const first = new BatchIterator(dataset, options);
      take(first, k);
      const saved = JSON.stringify(first.state());
      const resumed = BatchIterator.restore(dataset, JSON.parse(saved));
      const rest = take(resumed, 15);
      for (const [i, batch] of rest.entries())
        expect(sameBatch(batch, continuous[k + i]!)).toBe(true);
      // The saved state is what the uninterrupted iterator had at that point.
      const reference = new BatchIterator(dataset, options);
      take(reference, k + 15);
      expect(resumed.state()).toEqual(reference.state());
    });

    test('the state is plain JSON with epoch, position, step and the flip RNG', () => {
      const iterator = new BatchIterator(dataset, { batchSize: 10, seed: 5, flip: true });
      take(iterator, 3);
      const state = JSON.parse(JSON.stringify(iterator.state()));
      expect(state).toMatchObject({
        version: 2,
        epoch: 1,
        position: 7,
        step: 3,
        seed: 5,
        batchSize: 10,
      });
      // @ns/random's Rng.state(): after 30 served images the flip stream has drawn 30 words.
      const flips = new Rng(5).fold('flip');
      for (let i = 0; i < 30; i++) flips.nextUint32();
      expect(state.flipRng).toEqual(JSON.parse(JSON.stringify(flips.state())));
    });

    test('a version-1 state (xoshiro128** order) is refused, saying the order cannot continue', () => {
      const state = {
        ...new BatchIterator(dataset, { batchSize: 4, seed: 1 }).state(),
        version: 1,
      };
      expect(() => BatchIterator.restore(dataset, state as unknown as BatchIteratorState)).toThrow(
        /state\.version: expected 2, got 1 \(saved by an older @ns\/data/,
      );
    });

    test('restoring onto a different data set is refused', () => {
      const state = new BatchIterator(dataset, { batchSize: 4, seed: 1 }).state();
      expect(() => BatchIterator.restore(toyDataset(24), state)).toThrow(
        'state.dataset: saved for toy (23 images), but the data set is toy (24 images)',
      );
      expect(() => BatchIterator.restore(dataset, { ...state, position: 99 })).toThrow(
        /state.position/,
      );
    });
  });
});
