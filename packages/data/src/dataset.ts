import type { ImageBatch } from './image/grid.js';
import { assertNonNegativeInt, assertPositiveInt, type Image } from './image/image.js';
import { type ResizeMethod, resizeImage } from './image/resize.js';

/**
 * An in-memory image data set: `count` images of `height`×`width`×`channels` uint8 samples,
 * NHWC, back to back (image i starts at byte i·height·width·channels). Labels, when present,
 * are class indices in [0, numClasses).
 */
export interface Dataset extends ImageBatch {
  readonly images: Uint8Array;
  readonly count: number;
  readonly height: number;
  readonly width: number;
  /** 1 (grey) or 3 (RGB): data sets never carry alpha. */
  readonly channels: 1 | 3;
  readonly labels: Int32Array | undefined;
  /** Number of classes; 0 when the set has no labels. */
  readonly numClasses: number;
  /** Class names by index, when known (e.g. folder names). */
  readonly classNames?: readonly string[] | undefined;
  /** Short identifier, e.g. 'mnist', 'emoji', or the file / folder the set came from. */
  readonly name: string;
  /** Where the images come from and under which licence. */
  readonly licence: string;
}

export type DatasetFields = Omit<Dataset, 'numClasses' | 'labels'> & {
  labels?: Int32Array | undefined;
  numClasses?: number;
};

/**
 * Validates the fields and returns a Dataset. `numClasses` defaults to max(label) + 1 (or the
 * number of class names) when labels are given, and to 0 otherwise.
 */
export function createDataset(fields: DatasetFields): Dataset {
  const { images, count, height, width, channels, name, licence } = fields;
  assertPositiveInt('count', count);
  assertPositiveInt('height', height);
  assertPositiveInt('width', width);
  if (channels !== 1 && channels !== 3) {
    throw new RangeError(`${name}: channels: expected 1 or 3, got ${channels}`);
  }
  const expected = count * height * width * channels;
  if (!(images instanceof Uint8Array) || images.length !== expected) {
    throw new RangeError(
      `${name}: images: expected a Uint8Array of ${count}×${height}×${width}×${channels} = ${expected} bytes, got ${images instanceof Uint8Array ? images.length : typeof images}`,
    );
  }
  const labels = fields.labels;
  let numClasses = fields.numClasses ?? 0;
  if (labels !== undefined) {
    if (!(labels instanceof Int32Array) || labels.length !== count) {
      throw new RangeError(
        `${name}: labels: expected an Int32Array of ${count}, got ${labels instanceof Int32Array ? labels.length : typeof labels}`,
      );
    }
    let max = -1;
    for (let i = 0; i < count; i++) {
      const label = labels[i]!;
      if (label < 0) throw new RangeError(`${name}: labels[${i}] = ${label}: expected ≥ 0`);
      if (label > max) max = label;
    }
    if (fields.numClasses === undefined)
      numClasses = Math.max(max + 1, fields.classNames?.length ?? 0);
    if (max >= numClasses) {
      throw new RangeError(`${name}: label ${max} is out of range for numClasses = ${numClasses}`);
    }
  } else if (numClasses !== 0) {
    throw new RangeError(`${name}: numClasses: expected 0 without labels, got ${numClasses}`);
  }
  if (fields.classNames !== undefined && fields.classNames.length !== numClasses) {
    throw new RangeError(
      `${name}: classNames: expected ${numClasses} names, got ${fields.classNames.length}`,
    );
  }
  return {
    images,
    count,
    height,
    width,
    channels,
    labels,
    numClasses,
    classNames: fields.classNames,
    name,
    licence,
  };
}

/** Bytes per image. */
export function imageSize(dataset: ImageBatch): number {
  return dataset.height * dataset.width * dataset.channels;
}

/** Image `index` as a view (no copy) into the data set's buffer. */
export function datasetImage(dataset: Dataset, index: number): Image {
  assertNonNegativeInt('index', index);
  if (index >= dataset.count) {
    throw new RangeError(`index: expected < ${dataset.count} (${dataset.name}), got ${index}`);
  }
  const size = imageSize(dataset);
  return {
    data: dataset.images.subarray(index * size, (index + 1) * size),
    height: dataset.height,
    width: dataset.width,
    channels: dataset.channels,
  };
}

/** The images [start, end) as a new data set sharing the buffer (e.g. `--limit N`). */
export function sliceDataset(dataset: Dataset, start: number, end = dataset.count): Dataset {
  assertNonNegativeInt('start', start);
  if (!Number.isInteger(end) || end <= start || end > dataset.count) {
    throw new RangeError(`end: expected an integer in (${start}, ${dataset.count}], got ${end}`);
  }
  const size = imageSize(dataset);
  return {
    ...dataset,
    images: dataset.images.subarray(start * size, end * size),
    count: end - start,
    labels: dataset.labels?.subarray(start, end),
    name: start === 0 && end === dataset.count ? dataset.name : `${dataset.name}[${start}:${end}]`,
  };
}

/**
 * The same images resampled to `size`×`size` (labels kept): e.g. MNIST at 32, 64 and 128 pixels,
 * where only the redundancy between neighbouring pixels changes, not the content. 'auto' averages
 * when shrinking and interpolates bilinearly when enlarging. Square images only: a crop would
 * change the content.
 */
export function resizeDataset(
  dataset: Dataset,
  size: number,
  method: ResizeMethod = 'auto',
): Dataset {
  assertPositiveInt('size', size);
  if (dataset.height !== dataset.width) {
    throw new RangeError(
      `resizeDataset: ${dataset.name} has ${dataset.height}×${dataset.width} images; only square images are resampled (use an image folder with size to crop)`,
    );
  }
  if (dataset.height === size) return dataset;
  const { channels } = dataset;
  const bytes = size * size * channels;
  const images = new Uint8Array(dataset.count * bytes);
  for (let i = 0; i < dataset.count; i++) {
    images.set(resizeImage(datasetImage(dataset, i), size, size, method).data, i * bytes);
  }
  return {
    ...dataset,
    images,
    height: size,
    width: size,
    name: `${dataset.name}@${size}`,
  };
}

/** uint8 [0, 255] → float32 [−1, 1] (x/127.5 − 1), the usual diffusion input range. */
export function toFloat32(images: Uint8Array, out = new Float32Array(images.length)): Float32Array {
  if (out.length !== images.length) {
    throw new RangeError(`out: expected length ${images.length}, got ${out.length}`);
  }
  for (let i = 0; i < images.length; i++) out[i] = images[i]! / 127.5 - 1;
  return out;
}

/**
 * float [−1, 1] → uint8: clipped, then round((x + 1)·127.5). (ADM truncates instead of rounding,
 * which darkens by half a level on average.)
 */
export function fromFloat32(
  values: ArrayLike<number>,
  out = new Uint8Array(values.length),
): Uint8Array {
  if (out.length !== values.length) {
    throw new RangeError(`out: expected length ${values.length}, got ${out.length}`);
  }
  for (let i = 0; i < values.length; i++) {
    const v = values[i]!;
    // NaN maps to 0 rather than poisoning the image silently as 127.
    // Comparisons instead of Math.min/max/round (and v !== v for NaN) keep this loop fast under
    // jest's sandbox too, where calls to those globals are many times slower.
    // biome-ignore lint/suspicious/noSelfCompare: the NaN test, without a call in the hot loop
    out[i] = v !== v || v <= -1 ? 0 : v >= 1 ? 255 : (v + 1) * 127.5 + 0.5;
  }
  return out;
}
