import {
  type CompareOptions,
  type ComparisonReport,
  compareSources,
  compareSourcesAsync,
  createOrtProducts,
  extractSource,
  type FeatureSource,
  type GaussianStatistics,
  type ImageSource,
  loadSource,
  OnnxFeatureExtractor,
  type PreprocessMode,
  sourceStatistics,
  sourceStatisticsAsync,
  writeFidStats,
} from '@ns/eval-fid';
import { type Command, InvalidArgumentError } from 'commander';
import { builtinExtractor } from '../run/extractors.js';

/**
 * `ns fid A B [--json] [--kid] [--pr] [--ort] [--model m.onnx --mode clean]` and
 * `ns fid stats A --out a.npz`. A and B are `.npy` feature arrays (N × D), pytorch-fid / clean-fid
 * stats files or ADM reference batches (`mu`, `sigma`), moments shards, or uint8 images (.npy
 * [N, H, W, C] or ADM `arr_0`, with an ONNX extractor); all the work is in @ns/eval-fid.
 */
export function registerFid(program: Command): void {
  const fid = program
    .command('fid')
    .description(
      'Fréchet distance as pytorch-fid defines FID (float64, symmetric eigenvalues, never complex)',
    )
    .argument(
      '<a>',
      'reference: .npy features [N, D] or uint8 images [N, H, W, C], or .npz stats (mu, sigma) / moments / features / ADM images (arr_0)',
    )
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
    .action(async (a: string, b: string, opts: FidOptions) => {
      const [sa, sb] = await resolveSources([loadSource(a), loadSource(b)], opts);
      const options: CompareOptions = {
        kid: opts.kid
          ? { subsets: opts.kidSubsets, subsetSize: opts.kidSubsetSize, seed: opts.seed }
          : false,
        ...(opts.pr ? { precisionRecallK: opts.k } : {}),
      };
      const report = opts.ort
        ? await withOrt((products) => compareSourcesAsync(sa, sb, products, options))
        : compareSources(sa, sb, options);
      // A built-in extractor is not Inception: its distance is FD_<name>, never called FID.
      const metric = opts.features === undefined ? 'fid' : builtinExtractor(opts.features).metric;
      const named = renameDistance(report, metric);
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
    .action(async (source: string, _local: unknown, command: Command) => {
      // --model, --mode and --ort are also options of `fid` itself, which commander parses
      // wherever they appear, so read them together with the parent's.
      const opts = command.optsWithGlobals<ExtractOptions & { out: string; ort?: boolean }>();
      const [loaded] = await resolveSources([loadSource(source)], opts);
      const stats: GaussianStatistics = opts.ort
        ? await withOrt((products) => sourceStatisticsAsync(loaded, products))
        : sourceStatistics(loaded);
      writeFidStats(opts.out, stats, loaded.kind === 'features' ? loaded.provenance : undefined);
      const n = stats.count === undefined ? '' : `, N=${stats.count}`;
      process.stdout.write(`wrote ${opts.out} (D=${stats.dim}${n})\n`);
    });
}

const ORT_HELP =
  'run the large products on onnxruntime-node float64 MatMul (optional dependency; several times faster at 2048-d)';

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

const MODEL_HELP =
  'ONNX feature extractor for image inputs (.npy uint8 [N, H, W, C] or ADM .npz arr_0): input x float32 [B,3,299,299] → output pool3 [B,2048]';
const MODE_HELP = "image preprocessing: 'legacy_pytorch' (pytorch-fid) or 'clean' (clean-fid)";
const FEATURES_HELP =
  'built-in feature extractor instead of --model: mnist (a classifier trained with @ns/graph; the distance is reported as FD_mnist, not FID)';

interface ExtractOptions {
  model?: string;
  mode?: PreprocessMode;
  features?: string;
}

/** Turns image sources into features with the --model extractor; other sources pass through. */
async function resolveSources<T extends Array<FeatureSource | ImageSource>>(
  sources: [...T],
  opts: ExtractOptions,
): Promise<{ [K in keyof T]: FeatureSource }> {
  type Resolved = { [K in keyof T]: FeatureSource };
  if (!sources.some((s) => s.kind === 'images')) return sources as unknown as Resolved;
  const builtin = opts.features === undefined ? undefined : builtinExtractor(opts.features);
  if (builtin === undefined && (opts.model === undefined || opts.mode === undefined)) {
    const path = sources.find((s) => s.kind === 'images')!.path;
    throw new Error(
      `${path}: holds images: pass --features mnist (built in) or --model <file.onnx> and --mode <legacy_pytorch|clean>`,
    );
  }
  const extractor = builtin
    ? await OnnxFeatureExtractor.load(builtin.path, {
        mode: builtin.mode,
        contract: builtin.contract,
      })
    : await OnnxFeatureExtractor.load(opts.model!, { mode: opts.mode! });
  try {
    const out: FeatureSource[] = [];
    for (const s of sources) out.push(await extractSource(s, extractor));
    return out as unknown as Resolved;
  } finally {
    await extractor.release();
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
