/**
 * The distance every trial of a sweep is measured with: a built-in feature extractor of
 * @ns/eval-fid (e.g. FD_mnist) between generated images and held-out images at the trial's
 * resolution. Both sides reach the extractor's input size the same way (area averaging, free of
 * aliasing), so the only difference between them is the model.
 */
import { existsSync, mkdirSync, renameSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { type Dataset, loadDataset, resizeDataset } from '@ns/data';
import {
  builtinExtractor,
  FeatureMoments,
  featureStatistics,
  frechetDistance,
  type GaussianStatistics,
  type MomentsSnapshot,
  OnnxFeatureExtractor,
  readFidStats,
  readMoments,
  writeFidStats,
} from '@ns/eval-fid';
import type { SweepGrid } from './grid.js';

/** `<sweep>/reference/r<resolution>.npz`: mu and sigma of the held-out features. */
export function referencePath(sweepDir: string, resolution: number): string {
  return join(sweepDir, 'reference', `r${resolution}.npz`);
}

/** The extractor's features of `images`, row-major [count, dim]. */
async function extractFeatures(
  images: Dataset,
  features: string,
  threads?: number,
): Promise<{ data: ArrayLike<number>; dim: number }> {
  const extractor = builtinExtractor(features);
  const model = await OnnxFeatureExtractor.load(extractor.path, {
    mode: extractor.mode,
    contract: extractor.contract,
    batchSize: 250,
    ...(threads === undefined ? {} : { threads }),
  });
  try {
    const atInputSize = resizeDataset(images, extractor.contract.size, 'area');
    const data = await model.extract({ ...atInputSize, data: atInputSize.images });
    return { data, dim: extractor.contract.dim };
  } finally {
    await model.release();
  }
}

/** Mean and covariance of the extractor's features of `images`. */
export async function featureMoments(
  images: Dataset,
  features: string,
  threads?: number,
): Promise<GaussianStatistics> {
  const { data, dim } = await extractFeatures(images, features, threads);
  return featureStatistics(data, dim);
}

/**
 * The mergeable summary (count, mean, scatter) of the features of `images`: what one sampling
 * shard contributes. Disjoint shards merged with FeatureMoments.merge give the statistics of
 * their union up to rounding.
 */
export async function featureSnapshot(
  images: Dataset,
  features: string,
  threads?: number,
): Promise<MomentsSnapshot> {
  const { data, dim } = await extractFeatures(images, features, threads);
  return new FeatureMoments(dim).add(data).snapshot();
}

/**
 * Writes the reference statistics of one resolution unless they exist: the first `reference`
 * held-out images, resampled to `resolution` as the training data is.
 */
export async function ensureReference(
  sweepDir: string,
  grid: SweepGrid,
  resolution: number,
  threads?: number,
): Promise<string> {
  const path = referencePath(sweepDir, resolution);
  if (existsSync(path)) return path;
  const heldOut = loadDataset(grid.heldOut, { size: resolution, limit: grid.eval.reference });
  if (heldOut.count < grid.eval.reference) {
    throw new RangeError(
      `heldOut: ${grid.heldOut} has ${heldOut.count} images, eval.reference asks for ${grid.eval.reference}`,
    );
  }
  const stats = await featureMoments(heldOut, grid.eval.features, threads);
  mkdirSync(dirname(path), { recursive: true });
  // Parallel trials may race to write the same file: each writes its own and renames it in.
  const temporary = `${path}.${process.pid}.tmp.npz`;
  writeFidStats(temporary, stats);
  renameSync(temporary, path);
  return path;
}

/** The distance of generated images (an ADM .npz from `ns sample`) to a resolution's reference. */
export async function distanceToReference(
  samplesNpz: string,
  referenceNpz: string,
  features: string,
  threads?: number,
): Promise<{ metric: string; value: number; samples: number }> {
  const samples = loadDataset(samplesNpz);
  const generated = await featureMoments(samples, features, threads);
  const { distance } = frechetDistance(readFidStats(referenceNpz), generated);
  return { metric: builtinExtractor(features).metric, value: distance, samples: samples.count };
}

/** Where shard `index` of `count` of a trial's evaluation writes its moments. */
export function shardMomentsPath(runDir: string, index: number, count: number): string {
  return join(runDir, 'eval', `shard-${index}-of-${count}`, 'moments.npz');
}

/**
 * The distance of the union of `count` shards (their moments files) to a resolution's reference:
 * the parent of a sharded evaluation. Names the first shard file that is missing.
 */
export function distanceOfShards(
  runDir: string,
  count: number,
  referenceNpz: string,
  features: string,
): { metric: string; value: number; samples: number } {
  let merged: FeatureMoments | undefined;
  for (let index = 0; index < count; index++) {
    const path = shardMomentsPath(runDir, index, count);
    if (!existsSync(path)) throw new Error(`${path}: shard ${index}/${count} has not been written`);
    const shard = readMoments(path);
    merged = (merged ?? new FeatureMoments(shard.dim)).merge(shard);
  }
  if (merged === undefined) throw new RangeError(`shards: expected at least 1, got ${count}`);
  const { distance } = frechetDistance(readFidStats(referenceNpz), merged.statistics());
  return { metric: builtinExtractor(features).metric, value: distance, samples: merged.count };
}
