import { assertNonNegativeInt, assertPositiveInt, type Channels, type Image } from './image.js';

/** `count` images of one size, NHWC uint8, back to back. */
export interface ImageBatch {
  readonly images: Uint8Array;
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

export interface GridOptions {
  /** Images per row (default ⌈√count⌉). */
  columns?: number;
  /** Pixels between images and around the edge (default 2). */
  padding?: number;
  /** Fill value for padding and empty cells, per channel or one for all (default 255, white). */
  background?: number | readonly number[];
}

/** Tiles a batch of NHWC images row by row into one image, ready for `encodePng`. */
export function imageGrid(batch: ImageBatch, options: GridOptions = {}): Image {
  const { images, count, height, width, channels } = batch;
  assertPositiveInt('count', count);
  if (channels !== 1 && channels !== 2 && channels !== 3 && channels !== 4) {
    throw new RangeError(`channels: expected 1, 2, 3 or 4, got ${channels}`);
  }
  if (images.length !== count * height * width * channels) {
    throw new RangeError(
      `images: expected ${count}×${height}×${width}×${channels} = ${count * height * width * channels} bytes, got ${images.length}`,
    );
  }
  const columns = options.columns ?? Math.ceil(Math.sqrt(count));
  const padding = options.padding ?? 2;
  assertPositiveInt('columns', columns);
  assertNonNegativeInt('padding', padding);
  const rows = Math.ceil(count / columns);
  const cols = Math.min(columns, count);
  const gridHeight = rows * height + (rows + 1) * padding;
  const gridWidth = cols * width + (cols + 1) * padding;
  const out = new Uint8Array(gridHeight * gridWidth * channels);
  const background = options.background ?? 255;
  const fill = typeof background === 'number' ? Array(channels).fill(background) : [...background];
  if (fill.length !== channels) {
    throw new RangeError(`background: expected ${channels} values, got ${fill.length}`);
  }
  for (let p = 0; p < gridHeight * gridWidth; p++) {
    for (let c = 0; c < channels; c++) out[p * channels + c] = fill[c];
  }
  const rowBytes = width * channels;
  for (let i = 0; i < count; i++) {
    const top = padding + Math.floor(i / columns) * (height + padding);
    const left = padding + (i % columns) * (width + padding);
    for (let y = 0; y < height; y++) {
      const from = (i * height + y) * rowBytes;
      out.set(images.subarray(from, from + rowBytes), ((top + y) * gridWidth + left) * channels);
    }
  }
  return { data: out, height: gridHeight, width: gridWidth, channels: channels as Channels };
}
