import {
  FormatError,
  type NpyArray,
  NpzArchive,
  serializeNpz,
  toFloat64,
  writeFileAtomic,
} from '@ns/formats';
import { createDataset, type Dataset } from '../dataset.js';
import type { ImageBatch } from '../image/grid.js';

// The ADM sample layout (guided-diffusion's evaluator): arr_0 = uint8 (N, H, W, C) images,
// arr_1 = optional integer (N,) labels. The zip and .npy work is @ns/formats'.

const INTEGER_DTYPES = new Set(['u1', 'i1', 'u2', 'i2', 'u4', 'i4', 'u8', 'i8']);

function labelsFrom(array: NpyArray, count: number, what: string): Int32Array {
  if (array.shape.length !== 1 || array.shape[0] !== count) {
    throw new FormatError(
      `${what}:arr_1`,
      `expected labels of shape (${count},) like arr_0, got (${array.shape.join(', ')})`,
    );
  }
  if (!INTEGER_DTYPES.has(array.dtype)) {
    throw new FormatError(`${what}:arr_1`, `expected integer labels, got dtype ${array.dtype}`);
  }
  const values = toFloat64(array, `${what}:arr_1`);
  const labels = new Int32Array(count);
  for (let i = 0; i < count; i++) {
    const label = values[i]!;
    if (label < 0 || label > 0x7fffffff) {
      throw new FormatError(`${what}:arr_1`, `arr_1[${i}] = ${label} is not a class index`);
    }
    labels[i] = label;
  }
  return labels;
}

/** Reads an ADM-layout .npz: `arr_0` uint8 (N, H, W, C) with C ∈ {1, 3}, optional `arr_1` labels. */
export function loadNpzDataset(
  path: string,
  options: { name?: string; licence?: string } = {},
): Dataset {
  const archive = NpzArchive.open(path);
  try {
    return datasetFromArchive(archive, {
      name: options.name ?? path,
      licence: options.licence ?? 'unknown (user file)',
    });
  } finally {
    archive.close();
  }
}

/** As loadNpzDataset, from the bytes of the file; `meta.name` names it in errors. */
export function parseAdmNpz(bytes: Uint8Array, meta: { name: string; licence: string }): Dataset {
  return datasetFromArchive(NpzArchive.fromBytes(bytes, meta.name), meta);
}

function datasetFromArchive(archive: NpzArchive, meta: { name: string; licence: string }): Dataset {
  const what = archive.name;
  if (!archive.has('arr_0')) {
    throw new FormatError(
      what,
      `expected an arr_0 member (ADM layout: uint8 images), found ${archive.keys().join(', ') || 'no members'}`,
    );
  }
  const array = archive.get('arr_0');
  if (array.dtype !== 'u1') {
    throw new FormatError(`${what}:arr_0`, `expected dtype uint8 (|u1), got ${array.dtype}`);
  }
  // Grey sets are sometimes saved as (N, H, W): treat as one channel.
  const shape = array.shape.length === 3 ? [...array.shape, 1] : array.shape;
  if (shape.length !== 4 || (shape[3] !== 1 && shape[3] !== 3)) {
    throw new FormatError(
      `${what}:arr_0`,
      `expected shape (N, H, W, C) with C = 1 or 3, got (${array.shape.join(', ')})`,
    );
  }
  const [count, height, width, channels] = shape as [number, number, number, 1 | 3];
  const labels = archive.has('arr_1') ? labelsFrom(archive.get('arr_1'), count, what) : undefined;
  return createDataset({
    // parseNpy copies into a plain Uint8Array (never a Buffer view of the whole file).
    images: array.data as Uint8Array,
    count,
    height,
    width,
    channels,
    labels,
    name: meta.name,
    licence: meta.licence,
  });
}

/**
 * An ADM-layout .npz in memory: arr_0 = the images as uint8 (N, H, W, C), and arr_1 = labels as
 * int64 (N,) when given. Stored members, as numpy.savez writes; readable by numpy.load and by
 * ADM's evaluator.
 */
export function encodeAdmNpz(batch: ImageBatch, labels?: ArrayLike<number>): Uint8Array {
  const { images, count, height, width, channels } = batch;
  if (images.length !== count * height * width * channels) {
    throw new RangeError(
      `images: expected ${count * height * width * channels} bytes, got ${images.length}`,
    );
  }
  if (labels !== undefined && labels.length !== count) {
    throw new RangeError(`labels: expected ${count}, got ${labels.length}`);
  }
  return serializeNpz({
    arr_0: { shape: [count, height, width, channels], data: images, dtype: 'u1' },
    ...(labels === undefined
      ? {}
      : {
          arr_1: {
            shape: [count],
            data: BigInt64Array.from(Array.from(labels), (v) => BigInt(v)),
            dtype: 'i8',
          },
        }),
  });
}

/** Writes `encodeAdmNpz(batch, labels)` to `path` (temporary file, then rename). */
export function writeAdmNpz(path: string, batch: ImageBatch, labels?: ArrayLike<number>): void {
  writeFileAtomic(path, encodeAdmNpz(batch, labels));
}
