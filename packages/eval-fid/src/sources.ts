import { statSync } from 'node:fs';
import { EvalFidError, fail } from './errors.js';
import { type FeatureMatrix, featureMatrix } from './features.js';
import { type FrechetResult, frechetDistance, frechetDistanceAsync } from './frechet.js';
import type { GaussianStatistics } from './gaussian.js';
import { type KidOptions, kernelInceptionDistance } from './metrics/kid.js';
import { precisionRecall } from './metrics/precision-recall.js';
import { statisticsFromArchive } from './npy/fid-files.js';
import { type NpyArray, toFloat64 } from './npy/npy.js';
import { NpzArchive, readNpy } from './npy/npz.js';
import type { MatrixProducts } from './products.js';
import { FeatureMoments } from './stats/feature-moments.js';
import { isMomentsArchive, momentsFromArchive } from './stats/moments-file.js';

/**
 * What a path given to `ns fid` can hold: a feature array (N × D) or precomputed statistics.
 * Statistics come from pytorch-fid / clean-fid stats files and ADM reference batches (`mu`,
 * `sigma`) or from shard files written by writeMoments (`count`, `mean`, `scatter`).
 */
export type FeatureSource =
  | { readonly kind: 'features'; readonly path: string; readonly features: FeatureMatrix }
  | { readonly kind: 'statistics'; readonly path: string; readonly stats: GaussianStatistics };

const IMAGES_NOT_SUPPORTED =
  'computing features from images needs the ONNX feature extractor, which this version does not include; pass N × D features or a stats file';

/** Reads `path` (.npy features, or .npz stats / moments / features) as a FeatureSource. */
export function loadFeatureSource(path: string): FeatureSource {
  let isDirectory = false;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch {
    throw new EvalFidError(path, 'no such file');
  }
  if (isDirectory)
    throw new EvalFidError(path, `is a folder (of images?): ${IMAGES_NOT_SUPPORTED}`);
  if (path.endsWith('.npy'))
    return { kind: 'features', path, features: asFeatures(readNpy(path), path) };
  if (!path.endsWith('.npz')) fail(path, 'a .npy or .npz file', path);
  const archive = NpzArchive.open(path);
  try {
    if (archive.has('mu') && archive.has('sigma')) {
      return { kind: 'statistics', path, stats: statisticsFromArchive(archive) };
    }
    if (isMomentsArchive(archive)) {
      const stats = FeatureMoments.fromSnapshot(momentsFromArchive(archive)).statistics();
      return { kind: 'statistics', path, stats };
    }
    const key = ['features', 'feats', 'arr_0'].find((k) => archive.has(k));
    if (key === undefined) {
      fail(
        path,
        "keys 'mu'+'sigma', 'count'+'mean'+'scatter', or features in 'features'/'feats'/'arr_0'",
        archive.keys(),
      );
    }
    return { kind: 'features', path, features: asFeatures(archive.get(key), `${path}:${key}`) };
  } finally {
    archive.close();
  }
}

function asFeatures(array: NpyArray, source: string): FeatureMatrix {
  if (array.shape.length === 4 || (array.shape.length === 3 && array.dtype === 'u1')) {
    throw new EvalFidError(
      source,
      `${array.dtype} [${array.shape.join(', ')}] looks like images: ${IMAGES_NOT_SUPPORTED}`,
    );
  }
  if (array.shape.length !== 2) fail(source, 'features of shape [N, D]', array.shape);
  return featureMatrix(toFloat64(array, source), array.shape[1]!, source);
}

/** Mean and covariance of a source (computed for features, as stored for statistics). */
export function sourceStatistics(source: FeatureSource): GaussianStatistics {
  if (source.kind === 'statistics') return source.stats;
  return new FeatureMoments(source.features.dim).add(source.features.data).statistics();
}

export interface CompareOptions {
  /** Also compute KID (needs features on both sides). */
  kid?: boolean | KidOptions;
  /** Also compute precision/recall with this k (needs features on both sides); A is "real". */
  precisionRecallK?: number;
}

/** The numbers `ns fid --json` prints. */
export interface ComparisonReport {
  fid: number;
  fid_terms: Omit<FrechetResult, 'distance'>;
  dim: number;
  n_a: number | null;
  n_b: number | null;
  kid?: number;
  kid_std?: number;
  kid_subsets?: number;
  kid_subset_size?: number;
  precision?: number;
  recall?: number;
  k?: number;
}

/** sourceStatistics with the large products on `products` (e.g. createOrtProducts()). */
export async function sourceStatisticsAsync(
  source: FeatureSource,
  products: MatrixProducts,
): Promise<GaussianStatistics> {
  if (source.kind === 'statistics') return source.stats;
  const moments = new FeatureMoments(source.features.dim, { blockRows: 2048 });
  await moments.addAsync(source.features.data, products);
  await moments.flushAsync(products);
  return moments.statistics();
}

/** FID (and optionally KID and precision/recall) of B against A. */
export function compareSources(
  a: FeatureSource,
  b: FeatureSource,
  options: CompareOptions = {},
): ComparisonReport {
  const sa = sourceStatistics(a);
  const sb = sourceStatistics(b);
  checkSameDim(a, b, sa, sb);
  return buildReport(a, b, sa, sb, frechetDistance(sa, sb), options);
}

/** compareSources with statistics and the Fréchet products on `products` (e.g. onnxruntime). */
export async function compareSourcesAsync(
  a: FeatureSource,
  b: FeatureSource,
  products: MatrixProducts,
  options: CompareOptions = {},
): Promise<ComparisonReport> {
  const sa = await sourceStatisticsAsync(a, products);
  const sb = await sourceStatisticsAsync(b, products);
  checkSameDim(a, b, sa, sb);
  return buildReport(a, b, sa, sb, await frechetDistanceAsync(sa, sb, products), options);
}

function checkSameDim(
  a: FeatureSource,
  b: FeatureSource,
  sa: GaussianStatistics,
  sb: GaussianStatistics,
): void {
  if (sa.dim !== sb.dim) fail(b.path, `features of dimension ${sa.dim} like ${a.path}`, sb.dim);
}

function buildReport(
  a: FeatureSource,
  b: FeatureSource,
  sa: GaussianStatistics,
  sb: GaussianStatistics,
  frechet: FrechetResult,
  options: CompareOptions,
): ComparisonReport {
  const { distance, ...terms } = frechet;
  const report: ComparisonReport = {
    fid: distance,
    fid_terms: terms,
    dim: sa.dim,
    n_a: sa.count ?? null,
    n_b: sb.count ?? null,
  };
  const needFeatures = (what: string): [FeatureMatrix, FeatureMatrix] => {
    for (const s of [a, b]) {
      if (s.kind !== 'features') {
        throw new EvalFidError(
          s.path,
          `${what} needs feature arrays, but this file holds only statistics`,
        );
      }
    }
    return [
      (a as { features: FeatureMatrix }).features,
      (b as { features: FeatureMatrix }).features,
    ];
  };
  if (options.kid) {
    const [fa, fb] = needFeatures('KID');
    const r = kernelInceptionDistance(fa, fb, options.kid === true ? {} : options.kid);
    report.kid = r.kid;
    report.kid_std = r.std;
    report.kid_subsets = r.subsets;
    report.kid_subset_size = r.subsetSize;
  }
  if (options.precisionRecallK !== undefined) {
    const [fa, fb] = needFeatures('precision/recall');
    const r = precisionRecall(fa, fb, { k: options.precisionRecallK });
    report.precision = r.precision;
    report.recall = r.recall;
    report.k = r.k;
  }
  return report;
}
