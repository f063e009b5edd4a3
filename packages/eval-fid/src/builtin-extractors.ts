/**
 * Built-in feature extractors shipped in @ns/eval-fid's `extractors/` folder: an ONNX model that
 * follows the extractor contract and a JSON record of how it was made (recipe, accuracy, sha256).
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { EvalFidError } from './errors.js';
import type { ExtractorContract, PreprocessMode } from './extractor/onnx-extractor.js';

export interface BuiltinExtractor {
  readonly name: string;
  /** How the distance is reported, e.g. FD_mnist. */
  readonly metric: string;
  readonly path: string;
  /** Input/output names and sizes; a classifier also names its `logits` output. */
  readonly contract: ExtractorContract;
  readonly mode: PreprocessMode;
}

/** The package's `extractors/` folder (beside dist/, in the workspace and when installed). */
function extractorsDir(): string {
  for (let dir = __dirname; ; dir = dirname(dir)) {
    if (existsSync(join(dir, 'extractors')) && existsSync(join(dir, 'package.json')))
      return join(dir, 'extractors');
    if (dirname(dir) === dir) break;
  }
  throw new EvalFidError(
    'extractors',
    `cannot find the extractors/ folder of @ns/eval-fid from ${__dirname}`,
  );
}

export function builtinExtractor(name: string): BuiltinExtractor {
  const dir = extractorsDir();
  const info = join(dir, `${name}.json`);
  if (!existsSync(info)) {
    const known = existsSync(dir)
      ? readdirSync(dir)
          .filter((f) => f.endsWith('.json'))
          .map((f) => f.slice(0, -5))
      : [];
    throw new EvalFidError(
      'features',
      `no built-in extractor '${name}' (available: ${known.join(', ') || 'none'})`,
    );
  }
  const meta = JSON.parse(readFileSync(info, 'utf8')) as Omit<BuiltinExtractor, 'path'>;
  return { ...meta, path: join(dir, `${name}.onnx`) };
}

/** The image shape of a side that still needs features. */
export interface ImageShape {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/**
 * MNIST-like: grey square images, which the CLI brings to the mnist extractor's 28×28 by area
 * averaging (as `ns sweep` does), so 28×28 digits and digits sampled at 32 or 56 px all qualify.
 */
export function isMnistLike(shape: ImageShape): boolean {
  return shape.channels === 1 && shape.height === shape.width;
}
