import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { createDataset, type Dataset, datasetNames, loadDataset, resizeDataset } from '@ns/data';
import {
  type BuiltinExtractor,
  builtinExtractor,
  type CompareOptions,
  type ComparisonReport,
  compareSources,
  compareSourcesAsync,
  createOrtProducts,
  type ExtractorContract,
  type ExtractorProvenance,
  extractSource,
  type FeatureSource,
  type GaussianStatistics,
  type ImageSource,
  INCEPTION_CONTRACT,
  isMnistLike,
  loadSource,
  OnnxFeatureExtractor,
  type PreprocessMode,
  sourceStatistics,
  sourceStatisticsAsync,
  writeFidStats,
} from '@ns/eval-fid';
import { type Command, InvalidArgumentError } from 'commander';
import {
  cacheRoot,
  type ReferenceKey,
  readCachedReference,
  referenceCachePath,
  writeCachedReference,
} from '../run/reference-cache.js';

/**
 * `ns fid A B [--json] [--kid] [--pr] [--ort] [--features mnist | --model m.onnx --mode clean]`
 * and `ns fid stats A --out a.npz`. A and B are built-in data sets (`mnist-test`, …: their
 * statistics are cached per user), `.npy` feature arrays (N × D), pytorch-fid / clean-fid stats
 * files or ADM reference batches (`mu`, `sigma`), moments shards, or uint8 images (.npy
 * [N, H, W, C], ADM `arr_0`, a folder of PNGs) with an extractor; grey square images get the
 * built-in mnist extractor unless one is named. The maths is all in @ns/eval-fid.
 */
export function registerFid(program: Command): void {
  const fid = program
    .command('fid')
    .description(
      'Fréchet distance as pytorch-fid defines FID (float64, symmetric eigenvalues, never complex)',
    )
    .argument('<a>', SOURCE_HELP)
    .argument('<b>', 'samples: same kinds as <a>')
    .option('--json', 'print one JSON object: {"fid": value, ...}')
    .option('--kid', 'also compute KID (needs feature arrays on both sides)')
    .option('--kid-subsets <n>', 'KID subset pairs', positiveInteger, 100)
    .option(
      '--kid-subset-size <n>',
      'KID subset size (capped at the smaller set)',
      positiveInteger,
      1000,
    )
    .option('--seed <n>', 'seed of the KID subsets', nonNegativeInteger, 0)
    .option('--pr', 'also compute precision/recall (k-NN manifolds; A is the real set)')
    .option('--k <n>', 'neighbourhood size for precision/recall', positiveInteger, 3)
    .option('--ort', ORT_HELP)
    .option('--model <file.onnx>', MODEL_HELP)
    .option('--mode <mode>', MODE_HELP, preprocessMode)
    .option('--features <name>', FEATURES_HELP)
    .option('--limit <n>', 'use only the first n images of a built-in data set', positiveInteger)
    .option('--no-cache', `recompute a built-in data set's statistics (cache: ${CACHE_HELP})`)
    .action(async (a: string, b: string, opts: FidOptions) => {
      const needFeatures = opts.kid === true || opts.pr === true;
      const [sa, sb] = await resolveSources([openSide(a, opts), openSide(b, opts)], opts, {
        needFeatures,
      });
      const options: CompareOptions = {
        kid: opts.kid
          ? { subsets: opts.kidSubsets, subsetSize: opts.kidSubsetSize, seed: opts.seed }
          : false,
        ...(opts.pr ? { precisionRecallK: opts.k } : {}),
      };
      const report = opts.ort
        ? await withOrt((products) => compareSourcesAsync(sa.source, sb.source, products, options))
        : compareSources(sa.source, sb.source, options);
      // A built-in extractor is not Inception: its distance is FD_<name>, never called FID.
      const metric = sa.metric ?? sb.metric ?? 'fid';
      const named = renameDistance(report, metric);
      // Singular covariances (fewer samples than dimensions) make the distance less reliable.
      for (const warning of report.fid_terms.warnings)
        process.stderr.write(`ns fid: warning: ${warning}\n`);
      process.stdout.write(opts.json ? `${JSON.stringify(named)}\n` : formatReport(report, metric));
    });

  fid
    .command('stats')
    .description('write reusable statistics (pytorch-fid layout: mu, sigma) of features or stats')
    .argument('<source>', 'same kinds as <a> of `ns fid`')
    .requiredOption('--out <file>', 'output .npz (mu [D], sigma [D, D], float64, deflated)')
    .option('--ort', ORT_HELP)
    .option('--model <file.onnx>', MODEL_HELP)
    .option('--mode <mode>', MODE_HELP, preprocessMode)
    .option('--features <name>', FEATURES_HELP)
    .option('--limit <n>', 'use only the first n images of a built-in data set', positiveInteger)
    .action(async (source: string, _local: unknown, command: Command) => {
      // --model, --mode, --ort, --limit and --features are also options of `fid` itself, which
      // commander parses wherever they appear, so read them together with the parent's.
      const opts = command.optsWithGlobals<
        ExtractOptions & { out: string; ort?: boolean; cache?: boolean }
      >();
      const [resolved] = await resolveSources([openSide(source, opts)], opts, {
        needFeatures: false,
      });
      const loaded = resolved.source;
      const stats: GaussianStatistics = opts.ort
        ? await withOrt((products) => sourceStatisticsAsync(loaded, products))
        : sourceStatistics(loaded);
      writeFidStats(opts.out, stats, loaded.provenance);
      const n = stats.count === undefined ? '' : `, N=${stats.count}`;
      process.stdout.write(`wrote ${opts.out} (D=${stats.dim}${n})\n`);
    });
}

const SOURCE_HELP = `reference: a built-in data set (${Object.keys(datasetNames()).join(', ')}), .npy features [N, D] or uint8 images [N, H, W, C], a folder of PNGs, or .npz stats (mu, sigma) / moments / features / ADM images (arr_0, labels arr_1)`;
const CACHE_HELP = '$NS_CACHE_DIR, else $XDG_CACHE_HOME/noise-sched, else ~/.cache/noise-sched';
const ORT_HELP =
  'run the large products on onnxruntime-node float64 MatMul (optional dependency; several times faster at 2048-d)';
const MODEL_HELP =
  'ONNX feature extractor for image inputs (.npy uint8 [N, H, W, C] or ADM .npz arr_0): input x float32 [B,3,299,299] → output pool3 [B,2048]';
const MODE_HELP = "image preprocessing: 'legacy_pytorch' (pytorch-fid) or 'clean' (clean-fid)";
const FEATURES_HELP =
  'built-in feature extractor instead of --model: mnist (a classifier trained with @ns/graph; the distance is reported as FD_mnist, not FID; chosen by itself for grey square images)';

interface ExtractOptions {
  model?: string;
  mode?: PreprocessMode;
  features?: string;
  limit?: number;
  /** false with --no-cache. */
  cache?: boolean;
}

/** One side of `ns fid` as given: a built-in data set (loaded), or what loadSource read. */
type Side =
  | { readonly kind: 'dataset'; readonly name: string; readonly dataset: Dataset }
  | FeatureSource
  | ImageSource;

/** A side made ready for the distance, with the metric its extractor implies. */
interface ResolvedSide {
  readonly source: FeatureSource;
  readonly metric: string | undefined;
}

/** A built-in data set name (unless a file or folder of that name exists), else loadSource. */
function openSide(arg: string, opts: ExtractOptions): Side {
  if (Object.hasOwn(datasetNames(), arg) && !existsSync(arg)) {
    const dataset = loadDataset(arg, opts.limit === undefined ? {} : { limit: opts.limit });
    return { kind: 'dataset', name: arg, dataset };
  }
  return loadSource(arg);
}

/** How images become features: the model file, its bytes' sha256 and the contract. */
interface ExtractorChoice {
  readonly path: string;
  readonly mode: PreprocessMode;
  readonly contract?: Partial<ExtractorContract>;
  readonly builtin?: BuiltinExtractor;
  readonly sha256: string;
}

function shapeOf(side: Side): { height: number; width: number; channels: number } {
  if (side.kind === 'dataset') return side.dataset;
  if (side.kind === 'images') return side.images;
  throw new Error('shapeOf: not an image side');
}

function describeShape(side: Side): string {
  const { height, width, channels } = shapeOf(side);
  return `${height}×${width}×${channels}`;
}

/** --model, --features, or for grey square images the built-in mnist extractor (said on stderr). */
function chooseExtractor(sides: Side[], opts: ExtractOptions): ExtractorChoice {
  const withImages = sides.filter((s) => s.kind === 'dataset' || s.kind === 'images');
  const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
  if (opts.model !== undefined || opts.mode !== undefined) {
    if (opts.model === undefined || opts.mode === undefined) {
      throw new InvalidArgumentError(
        '--model and --mode go together: pass both (or --features mnist)',
      );
    }
    return { path: opts.model, mode: opts.mode, sha256: sha256(opts.model) };
  }
  let name = opts.features;
  if (name === undefined) {
    const notMnist = withImages.find((s) => !isMnistLike(shapeOf(s)));
    if (notMnist !== undefined) {
      const label = notMnist.kind === 'dataset' ? notMnist.name : notMnist.path;
      throw new Error(
        `${label}: holds ${describeShape(notMnist)} images, which need a feature extractor: pass --model <file.onnx> and --mode <legacy_pytorch|clean> (the FID Inception), or --features mnist`,
      );
    }
    name = 'mnist';
    const shapes = [...new Set(withImages.map(describeShape))].join(' and ');
    process.stderr.write(
      `ns fid: the images are grey and square (${shapes}), MNIST-like: using the built-in mnist extractor (distance FD_mnist, not FID; --features or --model chooses another)\n`,
    );
  }
  const builtin = builtinExtractor(name);
  return {
    path: builtin.path,
    mode: builtin.mode,
    contract: builtin.contract,
    builtin,
    sha256: sha256(builtin.path),
  };
}

/**
 * Images at the extractor's input: a built-in extractor gets square images resampled to its size
 * by area averaging (as `ns sweep` measures), an Inception model does its own FID resizing.
 */
function imagesFor(side: Side, choice: ExtractorChoice): ImageSource {
  const size = choice.builtin?.contract.size;
  if (side.kind === 'dataset') {
    const dataset =
      size !== undefined && side.dataset.height === side.dataset.width
        ? resizeDataset(side.dataset, size, 'area')
        : side.dataset;
    return {
      kind: 'images',
      path: side.name,
      images: { ...dataset, data: dataset.images },
      ...(dataset.labels ? { labels: dataset.labels } : {}),
    };
  }
  if (side.kind !== 'images') throw new Error('imagesFor: not an image side');
  const { images } = side;
  if (size === undefined || images.height !== images.width || images.height === size) return side;
  if (images.channels !== 1 && images.channels !== 3) return side;
  const resized = resizeDataset(
    createDataset({
      images: images.data,
      count: images.count,
      height: images.height,
      width: images.width,
      channels: images.channels,
      name: side.path,
      licence: 'user file',
    }),
    size,
    'area',
  );
  return { ...side, images: { ...resized, data: resized.images } };
}

/**
 * Turns each side into features or statistics. Image sides go through one extractor; a built-in
 * data set's statistics come from the user's cache when present (unless KID or precision/recall
 * need its features), and are written there otherwise.
 */
async function resolveSources<T extends Side[]>(
  sides: [...T],
  opts: ExtractOptions,
  { needFeatures }: { needFeatures: boolean },
): Promise<{ [K in keyof T]: ResolvedSide }> {
  type Resolved = { [K in keyof T]: ResolvedSide };
  if (!sides.some((s) => s.kind === 'images' || s.kind === 'dataset')) {
    return sides.map((s) => ({ source: s as FeatureSource, metric: undefined })) as Resolved;
  }
  const choice = chooseExtractor(sides, opts);
  const metric = choice.builtin?.metric;
  let extractor: OnnxFeatureExtractor | undefined;
  const extract = async (source: ImageSource): Promise<FeatureSource> => {
    extractor ??= await OnnxFeatureExtractor.load(choice.path, {
      mode: choice.mode,
      ...(choice.contract ? { contract: choice.contract } : {}),
      batchSize: 256,
    });
    return extractSource(source, extractor);
  };
  try {
    const out: ResolvedSide[] = [];
    for (const side of sides) {
      if (side.kind === 'dataset') {
        out.push({
          source: await datasetSource(side, choice, opts, needFeatures, extract),
          metric,
        });
      } else if (side.kind === 'images') {
        out.push({ source: await extract(imagesFor(side, choice)), metric });
      } else {
        out.push({ source: side, metric: undefined });
      }
    }
    return out as Resolved;
  } finally {
    await extractor?.release();
  }
}

async function datasetSource(
  side: Extract<Side, { kind: 'dataset' }>,
  choice: ExtractorChoice,
  opts: ExtractOptions,
  needFeatures: boolean,
  extract: (source: ImageSource) => Promise<FeatureSource>,
): Promise<FeatureSource> {
  const images = imagesFor(side, choice);
  const key: ReferenceKey = {
    dataset: side.name,
    count: images.images.count,
    size: images.images.height,
    mode: choice.mode,
    modelSha256: choice.sha256,
  };
  const provenance: ExtractorProvenance = {
    mode: choice.mode,
    modelSha256: choice.sha256,
    contract: { ...INCEPTION_CONTRACT, ...choice.contract },
  };
  const path = referenceCachePath(cacheRoot(), key);
  const useCache = opts.cache !== false;
  if (useCache && !needFeatures) {
    const cached = readCachedReference(path, key, provenance, (why) =>
      process.stderr.write(`ns fid: ignoring the cached statistics (${why}); recomputing\n`),
    );
    if (cached !== undefined) {
      process.stderr.write(
        `ns fid: ${side.name}: statistics of ${key.count} images from the cache (${path})\n`,
      );
      return cached;
    }
  }
  process.stderr.write(`ns fid: ${side.name}: extracting features of ${key.count} images\n`);
  const features = await extract(images);
  if (useCache) {
    mkdirSync(dirname(path), { recursive: true });
    writeCachedReference(path, key, sourceStatistics(features), features.labelAgreement);
    process.stderr.write(`ns fid: ${side.name}: statistics cached in ${path}\n`);
  }
  return features;
}

async function withOrt<T>(
  work: (products: Awaited<ReturnType<typeof createOrtProducts>>) => Promise<T>,
): Promise<T> {
  const products = await createOrtProducts();
  try {
    return await work(products);
  } finally {
    await products.release();
  }
}

function preprocessMode(value: string): PreprocessMode {
  if (value !== 'legacy_pytorch' && value !== 'clean') {
    throw new InvalidArgumentError(`expected 'legacy_pytorch' or 'clean', got ${value}`);
  }
  return value;
}

interface FidOptions extends ExtractOptions {
  ort?: boolean;
  json?: boolean;
  kid?: boolean;
  kidSubsets: number;
  kidSubsetSize: number;
  seed: number;
  pr?: boolean;
  k: number;
}

function renameDistance(r: ComparisonReport, metric: string): Record<string, unknown> {
  if (metric === 'fid') return { ...r };
  const { fid, ...rest } = r;
  return { [metric]: fid, ...rest };
}

function formatReport(r: ComparisonReport, metric = 'fid'): string {
  const n = (v: number | null) => (v === null ? '?' : String(v));
  const label = metric === 'fid' ? 'FID' : metric;
  const lines = [
    `${label} ${r.fid.toPrecision(10)}  (D=${r.dim}, N_A=${n(r.n_a)}, N_B=${n(r.n_b)})`,
  ];
  if (r.extractor) {
    lines.push(`features: mode ${r.extractor.mode}, model sha256 ${r.extractor.model_sha256}`);
  }
  const agreement = [
    ...(r.label_agreement === undefined ? [] : [`B ${r.label_agreement.toFixed(4)}`]),
    ...(r.reference_label_agreement === undefined
      ? []
      : [`A ${r.reference_label_agreement.toFixed(4)}`]),
  ];
  if (agreement.length > 0) {
    lines.push(
      `label agreement: ${agreement.join(', ')} (fraction classified as their own label with p ≥ ${r.label_threshold})`,
    );
  }
  if (r.kid !== undefined) {
    lines.push(
      `KID ${r.kid.toPrecision(6)} ± ${r.kid_std!.toPrecision(3)}  (${r.kid_subsets} subsets of ${r.kid_subset_size})`,
    );
  }
  if (r.precision !== undefined) {
    lines.push(`precision ${r.precision.toFixed(4)}  recall ${r.recall!.toFixed(4)}  (k=${r.k})`);
  }
  return `${lines.join('\n')}\n`;
}

function positiveInteger(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 1)
    throw new InvalidArgumentError(`expected a positive integer, got ${value}`);
  return n;
}

function nonNegativeInteger(value: string): number {
  const n = Number(value);
  if (!Number.isSafeInteger(n) || n < 0) {
    throw new InvalidArgumentError(`expected a non-negative integer, got ${value}`);
  }
  return n;
}
