import {
  type BatchSource,
  DEFAULT_TRAIN_CONFIG,
  type MlpDenoiserOptions,
  type NewRunConfig,
} from '../src/index.js';

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

/** A run configuration around the small MLP denoiser, for the trainer's tests. */
export function mlpRunConfig(
  steps: number,
  overrides: Partial<NewRunConfig> = {},
  mlp: Partial<MlpDenoiserOptions> = {},
): NewRunConfig {
  return {
    ...DEFAULT_TRAIN_CONFIG,
    batch: 16,
    steps,
    lr: 3e-3,
    warmupSteps: 5,
    emaDecay: 0.9,
    labelDropout: 0.1,
    checkpointEvery: 10,
    schedule: 'simple_linear',
    inputScale: 0.8,
    model: {
      kind: 'mlp',
      mlp: { imageSize: 8, channels: 1, hidden: 48, numClasses: 2, dropout: 0.1, ...mlp },
    },
    data: { name: 'bars', count: 64, licence: 'made by the test', flip: false },
    ...overrides,
  };
}

export const barBatches = () => new ArrayBatches(barImages(64), 16, 64);

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const out: T[] = [];
  for await (const r of iterable) out.push(r);
  return out;
}
