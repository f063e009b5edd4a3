import { type NpyArray, NpzArchive, toFloat64, writeNpz } from '@ns/formats';
import { fail } from '../errors.js';
import { type GaussianStatistics, gaussianStatistics } from '../gaussian.js';

/** Reads `mu` and `sigma` (or other keys, e.g. ADM's `mu_s`/`sigma_s`) from an open archive. */
export function statisticsFromArchive(
  archive: NpzArchive,
  keys: { mu: string; sigma: string } = { mu: 'mu', sigma: 'sigma' },
): GaussianStatistics {
  const mu = archive.get(keys.mu);
  const sigma = archive.get(keys.sigma);
  const source = `${archive.name}:${keys.mu}/${keys.sigma}`;
  if (mu.shape.length !== 1) fail(`${archive.name}:${keys.mu}`, 'a 1-d array [D]', mu.shape);
  const d = mu.shape[0]!;
  if (sigma.shape.length !== 2 || sigma.shape[0] !== d || sigma.shape[1] !== d) {
    fail(`${archive.name}:${keys.sigma}`, `shape [${d}, ${d}]`, sigma.shape);
  }
  return gaussianStatistics(toFloat64(mu), toFloat64(sigma), undefined, source);
}

/** Reads a pytorch-fid / clean-fid statistics file (`.npz` with `mu` and `sigma`). */
export function readFidStats(path: string): GaussianStatistics {
  const archive = NpzArchive.open(path);
  try {
    return statisticsFromArchive(archive);
  } finally {
    archive.close();
  }
}

/**
 * Writes statistics in pytorch-fid's layout (`mu` [D], `sigma` [D, D], float64), deflated like
 * `np.savez_compressed`, so pytorch-fid, clean-fid and this package can all read it back.
 * With `provenance` (features from images), the preprocessing mode and the model's sha256 are
 * added as ASCII uint8 arrays `preprocess_mode` and `model_sha256` (other tools ignore them;
 * `bytes(np.load(f)['model_sha256']).decode()` reads them).
 */
export function writeFidStats(
  path: string,
  stats: GaussianStatistics,
  provenance?: { mode: string; modelSha256: string },
): void {
  const ascii = (text: string) => ({ shape: [text.length], data: new TextEncoder().encode(text) });
  writeNpz(
    path,
    {
      mu: { shape: [stats.dim], data: stats.mu },
      sigma: { shape: [stats.dim, stats.dim], data: stats.sigma },
      ...(provenance
        ? { preprocess_mode: ascii(provenance.mode), model_sha256: ascii(provenance.modelSha256) }
        : {}),
    },
    { compress: true },
  );
}

/** What an OpenAI ADM (guided-diffusion) evaluator batch holds. */
export interface AdmBatch {
  /** `arr_0`: uint8 images [N, H, W, C] (NHWC). */
  readonly images?: NpyArray<'u1'>;
  /** `arr_1`: class labels, when the samples are class-conditional. */
  readonly labels?: NpyArray;
  /** Precomputed pool_3 statistics (`mu`, `sigma`) of a reference batch. */
  readonly stats?: GaussianStatistics;
  /** Precomputed spatial (sFID) statistics (`mu_s`, `sigma_s`). */
  readonly spatialStats?: GaussianStatistics;
}

export interface ReadAdmBatchOptions {
  /** Skip decoding `arr_0` (it can be gigabytes); default true. */
  images?: boolean;
}

/** Reads an ADM sample or reference batch. */
export function readAdmBatch(path: string, options: ReadAdmBatchOptions = {}): AdmBatch {
  const archive = NpzArchive.open(path);
  try {
    const out: {
      images?: NpyArray<'u1'>;
      labels?: NpyArray;
      stats?: GaussianStatistics;
      spatialStats?: GaussianStatistics;
    } = {};
    if ((options.images ?? true) && archive.has('arr_0')) {
      const images = archive.get('arr_0');
      if (images.dtype !== 'u1' || images.shape.length !== 4) {
        fail(`${path}:arr_0`, 'uint8 images [N, H, W, C]', `${images.dtype} [${images.shape}]`);
      }
      out.images = images as NpyArray<'u1'>;
    }
    if (archive.has('arr_1')) out.labels = archive.get('arr_1');
    if (archive.has('mu') && archive.has('sigma')) out.stats = statisticsFromArchive(archive);
    if (archive.has('mu_s') && archive.has('sigma_s')) {
      out.spatialStats = statisticsFromArchive(archive, { mu: 'mu_s', sigma: 'sigma_s' });
    }
    return out;
  } finally {
    archive.close();
  }
}
