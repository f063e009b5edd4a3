import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { EvalFidError, fail } from '../errors.js';
import { type PlanarImage, resizeImage } from '../image/resize.js';
import {
  loadOrt,
  type OrtModule,
  type OrtSession,
  type OrtValueMetadata,
} from '../ort/load-ort.js';

/**
 * How images become network input (recorded with every result, since it moves FID by points):
 * - `legacy_pytorch`: v/255, torch bilinear (no antialias) to the input size, then 2x − 1
 *   (pytorch-fid; clean-fid's legacy_pytorch).
 * - `clean`: PIL bicubic with antialias on float pixels in [0, 255], clip to [0, 255], then
 *   (x − 128)/128 (clean-fid's default).
 */
export type PreprocessMode = 'legacy_pytorch' | 'clean';

/** uint8 images, N × H × W × C (NHWC, as ADM `arr_0`), C = 1 (grey), 3 (RGB) or 4 (RGBA). */
export interface ImageBatch {
  readonly count: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly data: Uint8Array;
}

/**
 * The model contract (defaults: the FID Inception): input `x` float32 [B, 3, size, size] (NCHW RGB,
 * already resized and normalised), output `pool3` float32 [B, dim]. The batch axis may be dynamic.
 * A classifier may also name its `logits` output, float32 [B, classes] (e.g. the built-in mnist
 * extractor), for label agreement and the Inception Score.
 */
export interface ExtractorContract {
  input: string;
  output: string;
  size: number;
  dim: number;
  /** Name of the class-logits output, when the model has one. */
  logits?: string;
  /** Number of classes of `logits`. */
  classes?: number;
}

export const INCEPTION_CONTRACT: ExtractorContract = {
  input: 'x',
  output: 'pool3',
  size: 299,
  dim: 2048,
};

export interface OnnxExtractorOptions {
  mode: PreprocessMode;
  contract?: Partial<ExtractorContract>;
  /** Images per ORT run (default 16). */
  batchSize?: number;
  /** Intra-op threads (default: onnxruntime's choice). */
  threads?: number;
}

/** Provenance recorded with features and statistics. */
export interface ExtractorProvenance {
  readonly mode: PreprocessMode;
  readonly modelSha256: string;
  readonly contract: ExtractorContract;
}

/** Features from an ONNX model that follows the contract; checked when the model is loaded. */
export class OnnxFeatureExtractor {
  private constructor(
    private readonly ort: OrtModule,
    private readonly session: OrtSession,
    readonly provenance: ExtractorProvenance,
    private readonly batchSize: number,
  ) {}

  /** Loads a model file (or its bytes) and checks its inputs and outputs against the contract. */
  static async load(
    model: string | Uint8Array,
    options: OnnxExtractorOptions,
  ): Promise<OnnxFeatureExtractor> {
    if (options.mode !== 'legacy_pytorch' && options.mode !== 'clean') {
      fail('mode', "'legacy_pytorch' or 'clean'", options.mode);
    }
    const name = typeof model === 'string' ? model : 'model';
    const bytes = typeof model === 'string' ? readFileSync(model) : model;
    const contract = { ...INCEPTION_CONTRACT, ...options.contract };
    const ort = await loadOrt();
    const sessionOptions: Record<string, unknown> = { graphOptimizationLevel: 'all' };
    if (options.threads !== undefined) sessionOptions['intraOpNumThreads'] = options.threads;
    let session: OrtSession;
    try {
      session = await ort.InferenceSession.create(bytes, sessionOptions);
    } catch (error) {
      throw new EvalFidError(name, `not a loadable ONNX model (${String(error)})`);
    }
    checkContract(session, contract, name);
    const modelSha256 = createHash('sha256').update(bytes).digest('hex');
    const batchSize = options.batchSize ?? 16;
    if (!Number.isSafeInteger(batchSize) || batchSize < 1)
      fail('batchSize', 'a positive integer', batchSize);
    return new OnnxFeatureExtractor(
      ort,
      session,
      { mode: options.mode, modelSha256, contract },
      batchSize,
    );
  }

  /** The network input for one image: float32 3 × size × size, resized and normalised per mode. */
  preprocess(images: ImageBatch, index: number): Float32Array {
    const { height: h, width: w, channels: c } = images;
    if (c !== 1 && c !== 3 && c !== 4) fail('images.channels', '1, 3 or 4', c);
    if (images.data.length !== images.count * h * w * c) {
      fail('images.data', `${images.count}×${h}×${w}×${c} bytes`, images.data.length);
    }
    const size = this.provenance.contract.size;
    const legacy = this.provenance.mode === 'legacy_pytorch';
    // planar float image; grey → RGB by replicating the channel, RGBA → RGB by dropping alpha
    const planes = c === 1 ? 1 : 3;
    const planar = new Float32Array(planes * h * w);
    const base = index * h * w * c;
    for (let p = 0; p < planes; p++) {
      for (let i = 0; i < h * w; i++) {
        const v = images.data[base + i * c + p]!;
        planar[p * h * w + i] = legacy ? Math.fround(v / 255) : v;
      }
    }
    const image: PlanarImage = { channels: planes, height: h, width: w, data: planar };
    const resized = resizeImage(image, size, size, legacy ? 'bilinear' : 'bicubic-antialias').data;
    const plane = size * size;
    const out = new Float32Array(3 * plane);
    for (let p = 0; p < 3; p++) {
      const src = planes === 1 ? 0 : p * plane;
      for (let i = 0; i < plane; i++) {
        const v = resized[src + i]!;
        out[p * plane + i] = legacy ? 2 * v - 1 : (Math.min(255, Math.max(0, v)) - 128) / 128;
      }
    }
    return out;
  }

  /** Features of every image: float32, count × dim, row-major. */
  async extract(images: ImageBatch): Promise<Float32Array> {
    return (await this.run(images, false)).features;
  }

  /**
   * Features and class logits of every image from the same runs (count × dim and
   * count × classes, row-major). Needs a contract that names the `logits` output.
   */
  async extractWithLogits(
    images: ImageBatch,
  ): Promise<{ features: Float32Array; logits: Float32Array }> {
    const { features, logits } = await this.run(images, true);
    return { features, logits: logits! };
  }

  private async run(
    images: ImageBatch,
    withLogits: boolean,
  ): Promise<{ features: Float32Array; logits?: Float32Array }> {
    const { size, dim, input, output, logits: logitsName, classes } = this.provenance.contract;
    if (withLogits && (logitsName === undefined || classes === undefined)) {
      fail('contract.logits', 'the name of a logits output and its number of classes', logitsName);
    }
    const per = 3 * size * size;
    const features = new Float32Array(images.count * dim);
    const logits = withLogits ? new Float32Array(images.count * classes!) : undefined;
    for (let start = 0; start < images.count; start += this.batchSize) {
      const n = Math.min(this.batchSize, images.count - start);
      const x = new Float32Array(n * per);
      for (let k = 0; k < n; k++) x.set(this.preprocess(images, start + k), k * per);
      const feeds = { [input]: new this.ort.Tensor('float32', x, [n, 3, size, size]) };
      const result = await this.session.run(feeds);
      features.set(checkedOutput(result[output], output, n, dim), start * dim);
      if (logits) {
        logits.set(checkedOutput(result[logitsName!], logitsName!, n, classes!), start * classes!);
      }
    }
    return logits ? { features, logits } : { features };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

function checkedOutput(
  out: { data?: unknown; dims?: readonly number[] } | undefined,
  name: string,
  rows: number,
  cols: number,
): Float32Array {
  if (!(out?.data instanceof Float32Array) || out.data.length !== rows * cols) {
    throw new EvalFidError(
      name,
      `expected float32 [${rows}, ${cols}] from the model, got ${out?.dims ? `[${out.dims.join(', ')}]` : 'nothing'}`,
    );
  }
  return out.data;
}

function checkContract(session: OrtSession, c: ExtractorContract, name: string): void {
  const describe = (m: OrtValueMetadata | undefined) =>
    m ? `${m.type ?? '?'} [${(m.shape ?? []).join(', ')}]` : 'nothing';
  if (!session.inputNames.includes(c.input)) {
    mismatch(
      name,
      `an input named '${c.input}' (float32 [B, 3, ${c.size}, ${c.size}])`,
      `inputs [${session.inputNames.join(', ')}]`,
    );
  }
  if (!session.outputNames.includes(c.output)) {
    mismatch(
      name,
      `an output named '${c.output}' (float32 [B, ${c.dim}])`,
      `outputs [${session.outputNames.join(', ')}]`,
    );
  }
  const fits = (shape: ReadonlyArray<number | string> | undefined, want: Array<number | null>) =>
    shape !== undefined &&
    shape.length === want.length &&
    shape.every((d, i) => want[i] === null || typeof d === 'string' || d === want[i]);
  const inMeta = session.inputMetadata?.find((m) => m.name === c.input);
  if (inMeta && (inMeta.type !== 'float32' || !fits(inMeta.shape, [null, 3, c.size, c.size]))) {
    mismatch(
      `${name}: input '${c.input}'`,
      `float32 [B, 3, ${c.size}, ${c.size}]`,
      describe(inMeta),
    );
  }
  const outMeta = session.outputMetadata?.find((m) => m.name === c.output);
  if (outMeta && (outMeta.type !== 'float32' || !fits(outMeta.shape, [null, c.dim]))) {
    mismatch(`${name}: output '${c.output}'`, `float32 [B, ${c.dim}]`, describe(outMeta));
  }
  if (c.logits !== undefined) {
    if (!Number.isSafeInteger(c.classes) || c.classes! < 2) {
      fail('contract.classes', 'the number of classes of the logits output (≥ 2)', c.classes);
    }
    if (!session.outputNames.includes(c.logits)) {
      mismatch(
        name,
        `a logits output named '${c.logits}' (float32 [B, ${c.classes}])`,
        `outputs [${session.outputNames.join(', ')}]`,
      );
    }
    const logitsMeta = session.outputMetadata?.find((m) => m.name === c.logits);
    if (
      logitsMeta &&
      (logitsMeta.type !== 'float32' || !fits(logitsMeta.shape, [null, c.classes!]))
    ) {
      mismatch(`${name}: output '${c.logits}'`, `float32 [B, ${c.classes}]`, describe(logitsMeta));
    }
  }
}

function mismatch(argument: string, expected: string, got: string): never {
  throw new EvalFidError(argument, `expected ${expected}, got ${got}`);
}
