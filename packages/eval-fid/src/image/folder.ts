import { readdirSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileError, readFileBytes } from '@ns/formats';
import { EvalFidError } from '../errors.js';
import type { ImageBatch } from '../extractor/onnx-extractor.js';
import { decodePng } from './png.js';

/**
 * Reads every `.png` in a folder (sorted by name, not recursive) into one RGB uint8 batch
 * [N, H, W, 3]; grey images are replicated to RGB. As in pytorch-fid's batching, all images must
 * have the same size. Other image formats are rejected by name (no JPEG decoder here).
 */
export function readImageFolder(dir: string): ImageBatch {
  let names: string[];
  try {
    names = readdirSync(dir).sort();
  } catch (error) {
    throw fileError(dir, error, 'list');
  }
  const other = names.filter((n) => /\.(jpe?g|bmp|gif|webp|tiff?)$/i.test(n));
  if (other.length > 0) {
    throw new EvalFidError(
      dir,
      `only PNG images are supported, found ${other[0]} (and ${other.length - 1} more non-PNG images)`,
    );
  }
  const files = names.filter((n) => extname(n).toLowerCase() === '.png');
  if (files.length === 0)
    throw new EvalFidError(dir, 'expected .png images in the folder, found none');
  let batch: { height: number; width: number; data: Uint8Array } | undefined;
  files.forEach((file, k) => {
    const img = decodePng(readFileBytes(join(dir, file)), join(dir, file));
    if (!batch)
      batch = {
        height: img.height,
        width: img.width,
        data: new Uint8Array(files.length * img.height * img.width * 3),
      };
    if (img.height !== batch.height || img.width !== batch.width) {
      throw new EvalFidError(
        join(dir, file),
        `expected ${batch.width}×${batch.height} like ${files[0]} (all images must have one size), got ${img.width}×${img.height}`,
      );
    }
    const base = k * batch.height * batch.width * 3;
    for (let i = 0; i < img.height * img.width; i++) {
      for (let c = 0; c < 3; c++)
        batch.data[base + i * 3 + c] = img.data[img.channels === 1 ? i : i * 3 + c]!;
    }
  });
  return {
    count: files.length,
    height: batch!.height,
    width: batch!.width,
    channels: 3,
    data: batch!.data,
  };
}
