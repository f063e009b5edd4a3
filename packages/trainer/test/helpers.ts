import type { BatchSource } from '../src/index.js';

/** 8×8 grey images: a bright bar (row or column) on black, labelled 0 (row) or 1 (column). */
export function barImages(count: number, size = 8): { images: Uint8Array; labels: Int32Array } {
  const images = new Uint8Array(count * size * size);
  const labels = new Int32Array(count);
  for (let n = 0; n < count; n++) {
    const vertical = n % 2;
    const at = (n * 7) % size;
    labels[n] = vertical;
    for (let i = 0; i < size; i++)
      images[n * size * size + (vertical ? i * size + at : at * size + i)] = 255;
  }
  return { images, labels };
}

/** A deterministic batch source over fixed arrays, with a saveable position. */
export class ArrayBatches implements BatchSource {
  private index = 0;
  constructor(
    private readonly data: { images: Uint8Array; labels: Int32Array },
    private readonly batch: number,
    private readonly imageBytes: number,
  ) {}
  next() {
    const count = this.data.labels.length;
    const images = new Uint8Array(this.batch * this.imageBytes);
    const labels = new Int32Array(this.batch);
    for (let i = 0; i < this.batch; i++) {
      const k = (this.index + i) % count;
      images.set(
        this.data.images.subarray(k * this.imageBytes, (k + 1) * this.imageBytes),
        i * this.imageBytes,
      );
      labels[i] = this.data.labels[k]!;
    }
    this.index = (this.index + this.batch) % count;
    return { images, labels };
  }
  state() {
    return { index: this.index };
  }
  restore(state: unknown) {
    this.index = (state as { index: number }).index;
  }
}
