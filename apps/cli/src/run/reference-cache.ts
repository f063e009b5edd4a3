/**
 * Reference statistics of built-in data sets, cached per user: `ns fid mnist-test samples.npz`
 * extracts the 10 000 test digits once and later runs read mu and sigma from
 * `<cache>/fid/mnist-test-10000x28px-legacy_pytorch-<sha256 of the extractor, 16 hex>.npz`.
 * The key holds everything the statistics depend on (data set, image count and side length,
 * preprocessing mode, extractor bytes), so a new extractor or a --limit is a new file.
 */
import { homedir } from 'node:os';
import { join } from 'node:path';
import {
  type ExtractorProvenance,
  type FeatureSource,
  FormatError,
  type GaussianStatistics,
  gaussianStatistics,
  type LabelAgreementResult,
  NpzArchive,
  toFloat64,
  writeNpz,
} from '@ns/eval-fid';

/**
 * The cache folder: $NS_CACHE_DIR if set (tests, shared caches), else $XDG_CACHE_HOME/noise-sched,
 * else ~/.cache/noise-sched (the XDG default).
 */
export function cacheRoot(env: NodeJS.ProcessEnv = process.env): string {
  if (env['NS_CACHE_DIR']) return env['NS_CACHE_DIR'];
  const xdg = env['XDG_CACHE_HOME'];
  return join(xdg ? xdg : join(homedir(), '.cache'), 'noise-sched');
}

export interface ReferenceKey {
  readonly dataset: string;
  readonly count: number;
  /** Side length of the images the extractor was given. */
  readonly size: number;
  readonly mode: string;
  readonly modelSha256: string;
}

export function referenceCachePath(root: string, key: ReferenceKey): string {
  const name = `${key.dataset}-${key.count}x${key.size}px-${key.mode}-${key.modelSha256.slice(0, 16)}.npz`;
  return join(root, 'fid', name);
}

const ascii = (text: string) => ({ shape: [text.length], data: new TextEncoder().encode(text) });
const text = (archive: NpzArchive, key: string) =>
  new TextDecoder().decode(archive.get(key).data as Uint8Array);

/**
 * Writes the statistics (and the reference's label agreement, when known) atomically: a
 * temporary file renamed into place, so parallel runs never read half a file.
 */
export function writeCachedReference(
  path: string,
  key: ReferenceKey,
  stats: GaussianStatistics,
  labelAgreement?: LabelAgreementResult,
): void {
  writeNpz(
    path,
    {
      mu: { shape: [stats.dim], data: stats.mu },
      sigma: { shape: [stats.dim, stats.dim], data: stats.sigma },
      count: { shape: [1], data: new Float64Array([stats.count ?? key.count]) },
      dataset: ascii(key.dataset),
      preprocess_mode: ascii(key.mode),
      model_sha256: ascii(key.modelSha256),
      ...(labelAgreement
        ? {
            label_agreement: {
              shape: [3],
              data: Float64Array.of(
                labelAgreement.agreed,
                labelAgreement.count,
                labelAgreement.threshold,
              ),
            },
            label_agreement_per_class: {
              shape: [labelAgreement.perClass.length],
              data: labelAgreement.perClass,
            },
          }
        : {}),
    },
    { compress: true },
  );
}

/**
 * The cached reference as a statistics source, or undefined when there is none. A file that
 * cannot be read or is for another key is reported by `onStale` and treated as missing (the
 * caller recomputes and overwrites it).
 */
export function readCachedReference(
  path: string,
  key: ReferenceKey,
  provenance: ExtractorProvenance,
  onStale: (why: string) => void,
): FeatureSource | undefined {
  let archive: NpzArchive;
  try {
    archive = NpzArchive.open(path);
  } catch (error) {
    if (FormatError.isInstance(error) && error.problem === 'no such file') return undefined;
    onStale(error instanceof Error ? error.message : String(error));
    return undefined;
  }
  try {
    if (
      text(archive, 'model_sha256') !== key.modelSha256 ||
      text(archive, 'dataset') !== key.dataset
    ) {
      onStale(`${path}: written for another data set or extractor`);
      return undefined;
    }
    const mu = toFloat64(archive.get('mu'));
    const sigma = toFloat64(archive.get('sigma'));
    const count = toFloat64(archive.get('count'))[0]!;
    const stats = gaussianStatistics(mu, sigma, count, path);
    const source: FeatureSource = { kind: 'statistics', path, stats, provenance };
    if (!archive.has('label_agreement')) return source;
    const [agreed, total, threshold] = toFloat64(archive.get('label_agreement'));
    const perClass = toFloat64(archive.get('label_agreement_per_class'));
    const labelAgreement: LabelAgreementResult = {
      agreement: agreed! / total!,
      agreed: agreed!,
      count: total!,
      threshold: threshold!,
      perClass,
    };
    return { ...source, labelAgreement };
  } catch (error) {
    onStale(error instanceof Error ? error.message : String(error));
    return undefined;
  } finally {
    archive.close();
  }
}
