import { statSync } from 'node:fs';
import { fileError, type NpyArray, NpzArchive, readNpy, toFloat64 } from '@ns/formats';
import { EvalFidError, fail } from './errors.js';
import type {
  ExtractorProvenance,
  ImageBatch,
  OnnxFeatureExtractor,
} from './extractor/onnx-extractor.js';
import { type FeatureMatrix, featureMatrix } from './features.js';
import { type FrechetResult, frechetDistance, frechetDistanceAsync } from './frechet.js';
import type { GaussianStatistics } from './gaussian.js';
import { readImageFolder } from './image/folder.js';
import { type KidOptions, kernelInceptionDistance } from './metrics/kid.js';
import { type LabelAgreementResult, labelAgreement } from './metrics/label-agreement.js';
import { precisionRecall } from './metrics/precision-recall.js';
import { statisticsFromArchive } from './npy/fid-files.js';
import type { MatrixProducts } from './products.js';
import { FeatureMoments, featureStatisticsAsync } from './stats/feature-moments.js';
import { isMomentsArchive, momentsFromArchive } from './stats/moments-file.js';

/**
 * What a path given to `ns fid` can hold: a feature array (N × D) or precomputed statistics.
 * Statistics come from pytorch-fid / clean-fid stats files and ADM reference batches (`mu`,
 * `sigma`) or from shard files written by writeMoments (`count`, `mean`, `scatter`).
 * `provenance` is set when the features were computed from images by an extractor.
 */
export type FeatureSource =
  | {
      readonly kind: 'features';
      readonly path: string;
      readonly features: FeatureMatrix;
      readonly provenance?: ExtractorProvenance;
      /** Set when the images had labels and the extractor has a classifier head. */
      readonly labelAgreement?: LabelAgreementResult;
    }
  | {
      readonly kind: 'statistics';
      readonly path: string;
      readonly stats: GaussianStatistics;
      /** Set when the statistics are known to come from this extractor (e.g. a cache). */
      readonly provenance?: ExtractorProvenance;
      readonly labelAgreement?: LabelAgreementResult;
    };

/** uint8 images (ADM `arr_0` batches, or .npy [N, H, W(, C)]) that still need an extractor. */
export interface ImageSource {
  readonly kind: 'images';
  readonly path: string;
  readonly images: ImageBatch;
  /** Class labels, one per image (ADM `arr_1` of class-conditional samples). */
  readonly labels?: Int32Array;
}

const IMAGES_NEED_EXTRACTOR =
  'images need a feature extractor: pass an ONNX model that follows the Inception contract (ns fid --model, --mode) or N × D features or a stats file';

/** Reads `path` as features, statistics or images (a folder of PNGs, uint8 .npy, ADM arr_0). */
export function loadSource(path: string): FeatureSource | ImageSource {
  let isDirectory = false;
  try {
    isDirectory = statSync(path).isDirectory();
  } catch (error) {
    throw fileError(path, error);
  }
  if (isDirectory) return { kind: 'images', path, images: readImageFolder(path) };
  if (path.endsWith('.npy')) return fromArray(readNpy(path), path, path);
  if (!path.endsWith('.npz')) {
    throw new EvalFidError(path, 'expected a .npy or .npz file, or a folder of PNG images');
  }
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
    const source = fromArray(archive.get(key), path, `${path}:${key}`);
    if (source.kind === 'images' && key === 'arr_0' && archive.has('arr_1')) {
      return { ...source, labels: labelsOf(archive.get('arr_1'), source.images.count, path) };
    }
    return source;
  } finally {
    archive.close();
  }
}

/** As loadSource, but images are an error (for callers without an extractor). */
export function loadFeatureSource(path: string): FeatureSource {
  const source = loadSource(path);
  if (source.kind === 'images') {
    const { count, height, width, channels } = source.images;
    throw new EvalFidError(
      path,
      `holds uint8 images [${count}, ${height}, ${width}, ${channels}]: ${IMAGES_NEED_EXTRACTOR}`,
    );
  }
  return source;
}

/** ADM `arr_1`: one integer class label per image. */
function labelsOf(array: NpyArray, count: number, path: string): Int32Array {
  if (array.shape.length !== 1 || array.shape[0] !== count) {
    fail(`${path}:arr_1`, `labels of shape [${count}] (one per image of arr_0)`, array.shape);
  }
  if (!/^[iu][1248]$/.test(array.dtype)) fail(`${path}:arr_1`, 'integer labels', array.dtype);
  return Int32Array.from(toFloat64(array, `${path}:arr_1`));
}

/**
 * Features of an image source from `extractor` (other sources pass through unchanged). When the
 * images have labels and the extractor's contract names a logits output, the label agreement
 * (labelAgreement, threshold 0.9) comes along.
 */
export async function extractSource(
  source: FeatureSource | ImageSource,
  extractor: OnnxFeatureExtractor,
): Promise<FeatureSource> {
  if (source.kind !== 'images') return source;
  const { dim, logits, classes } = extractor.provenance.contract;
  const base = { kind: 'features', path: source.path, provenance: extractor.provenance } as const;
  if (source.labels !== undefined && logits !== undefined && classes !== undefined) {
    const out = await extractor.extractWithLogits(source.images);
    return {
      ...base,
      features: featureMatrix(out.features, dim, source.path),
      labelAgreement: labelAgreement(out.logits, source.labels, classes),
    };
  }
  const data = await extractor.extract(source.images);
  return { ...base, features: featureMatrix(data, dim, source.path) };
}

function fromArray(array: NpyArray, path: string, source: string): FeatureSource | ImageSource {
  const s = array.shape;
  if (array.dtype === 'u1' && (s.length === 4 || s.length === 3)) {
    const channels = s.length === 4 ? s[3]! : 1;
    if (channels !== 1 && channels !== 3 && channels !== 4) {
      fail(source, 'uint8 images [N, H, W, C] with C = 1, 3 or 4', s);
    }
    const images: ImageBatch = {
      count: s[0]!,
      height: s[1]!,
      width: s[2]!,
      channels,
      data: array.data as Uint8Array,
    };
    return { kind: 'images', path, images };
  }
  return { kind: 'features', path, features: asFeatures(array, source) };
}

function asFeatures(array: NpyArray, source: string): FeatureMatrix {
  if (array.shape.length !== 2) fail(source, 'features of shape [N, D]', array.shape);
  // Numeric typed arrays are used as they are (a 50k × 2048 float32 file stays 400 MB instead of
  // becoming 800 MB of float64); only 64-bit integers, held as BigInt, are converted.
  const { data } = array;
  const numeric =
    data instanceof BigInt64Array || data instanceof BigUint64Array
      ? toFloat64(array, source)
      : data;
  return featureMatrix(numeric, array.shape[1]!, source);
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
  /** Set when features were computed from images: the preprocessing mode and model sha256. */
  extractor?: { mode: string; model_sha256: string };
  kid?: number;
  kid_std?: number;
  kid_subsets?: number;
  kid_subset_size?: number;
  precision?: number;
  recall?: number;
  k?: number;
  /** B's label agreement (class-conditional samples with a classifier extractor). */
  label_agreement?: number;
  /** A's label agreement, when A has labels too (e.g. a labelled reference set: a ceiling). */
  reference_label_agreement?: number;
  /** The probability the own label must reach to count (0.9). */
  label_threshold?: number;
}

/** sourceStatistics with the large products on `products` (e.g. createOrtProducts()). */
export async function sourceStatisticsAsync(
  source: FeatureSource,
  products: MatrixProducts,
): Promise<GaussianStatistics> {
  if (source.kind === 'statistics') return source.stats;
  return featureStatisticsAsync(source.features.data, source.features.dim, products);
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
  return buildReport(a, b, sa, sb, frechetDistance(sa, sb, { names: [a.path, b.path] }), options);
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
  const fid = await frechetDistanceAsync(sa, sb, products, { names: [a.path, b.path] });
  return buildReport(a, b, sa, sb, fid, options);
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
  const provenance = [a, b].flatMap((s) => (s.provenance ? [s.provenance] : []));
  if (provenance.length > 0) {
    report.extractor = { mode: provenance[0]!.mode, model_sha256: provenance[0]!.modelSha256 };
  }
  if (b.labelAgreement) {
    report.label_agreement = b.labelAgreement.agreement;
    report.label_threshold = b.labelAgreement.threshold;
  }
  if (a.labelAgreement) {
    report.reference_label_agreement = a.labelAgreement.agreement;
    report.label_threshold = a.labelAgreement.threshold;
  }
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
