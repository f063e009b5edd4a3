import { createHash } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  compareSources,
  extractSource,
  gaussianStatistics,
  type ImageBatch,
  type ImageSource,
  loadSource,
  OnnxFeatureExtractor,
  readFidStats,
  readNpz,
  resizeImage,
  writeFidStats,
} from '../src/index.js';
import { FLOAT, onnxModel } from '../src/ort/onnx-model.js';
import { fixture } from './helpers.js';
import { rng } from './random.js';

/**
 * A tiny model that follows the extractor contract: x [B, 3, size, size] → 1×1 Conv (3 → dim)
 * → GlobalAveragePool → Flatten → pool3 [B, dim]. Being linear, its output is known exactly:
 * pool3[b, k] = Σ_c W[k, c] · mean(x[b, c]) + bias[k].
 */
function contractModel(dim: number, size: number, names = { input: 'x', output: 'pool3' }) {
  const u = rng(dim);
  const weight = Float32Array.from({ length: dim * 3 }, () => u() - 0.5);
  const bias = Float32Array.from({ length: dim }, () => u() - 0.5);
  const bytes = onnxModel({
    name: 'contract-test',
    elemType: FLOAT,
    inputs: [[names.input, ['batch', 3, size, size]]],
    outputs: [[names.output, ['batch', dim]]],
    initializers: [
      { name: 'w', dims: [dim, 3, 1, 1], data: weight },
      { name: 'b', dims: [dim], data: bias },
    ],
    nodes: [
      { op: 'Conv', inputs: [names.input, 'w', 'b'], outputs: ['conv'] },
      { op: 'GlobalAveragePool', inputs: ['conv'], outputs: ['gap'] },
      { op: 'Flatten', inputs: ['gap'], outputs: [names.output] },
    ],
  });
  return { bytes, weight, bias };
}

function images(count: number, h: number, w: number, c: number, seed: number): ImageBatch {
  const u = rng(seed);
  return {
    count,
    height: h,
    width: w,
    channels: c,
    data: Uint8Array.from({ length: count * h * w * c }, () => Math.floor(u() * 256)),
  };
}

describe('OnnxFeatureExtractor on a contract model run by onnxruntime', () => {
  const dim = 32;
  const model = contractModel(dim, 299);

  test.each([
    'legacy_pytorch',
    'clean',
  ] as const)('%s: features = model(preprocess(images)), in order, across batches', async (mode) => {
    const ex = await OnnxFeatureExtractor.load(model.bytes, {
      mode,
      contract: { dim },
      batchSize: 2,
    });
    try {
      expect(ex.provenance.mode).toBe(mode);
      expect(ex.provenance.modelSha256).toBe(
        createHash('sha256').update(model.bytes).digest('hex'),
      );
      const batch = images(3, 28, 28, 3, 5);
      const features = await ex.extract(batch);
      expect(features.length).toBe(3 * dim);
      for (let b = 0; b < 3; b++) {
        const x = ex.preprocess(batch, b);
        const plane = 299 * 299;
        const means = [0, 1, 2].map(
          (c) => x.subarray(c * plane, (c + 1) * plane).reduce((s, v) => s + v, 0) / plane,
        );
        for (let k = 0; k < dim; k++) {
          let want = model.bias[k]!;
          for (let c = 0; c < 3; c++) want += model.weight[k * 3 + c]! * means[c]!;
          expect(Math.abs(features[b * dim + k]! - want)).toBeLessThan(1e-5);
        }
      }
    } finally {
      await ex.release();
    }
  });

  test('preprocessing: the mode decides resize and normalisation; grey images are replicated to RGB', async () => {
    const legacy = await OnnxFeatureExtractor.load(model.bytes, {
      mode: 'legacy_pytorch',
      contract: { dim },
    });
    const clean = await OnnxFeatureExtractor.load(model.bytes, {
      mode: 'clean',
      contract: { dim },
    });
    const grey = images(1, 32, 32, 1, 9);
    const plane = 299 * 299;
    const xl = legacy.preprocess(grey, 0);
    const bil = resizeImage(
      { channels: 1, height: 32, width: 32, data: Float32Array.from(grey.data, (v) => v / 255) },
      299,
      299,
      'bilinear',
    ).data;
    const xc = clean.preprocess(grey, 0);
    const bic = resizeImage(
      { channels: 1, height: 32, width: 32, data: Float32Array.from(grey.data) },
      299,
      299,
      'bicubic-antialias',
    ).data;
    for (const i of [0, 777, 44_444, plane - 1]) {
      for (let c = 0; c < 3; c++) {
        expect(xl[c * plane + i]).toBeCloseTo(2 * bil[i]! - 1, 6);
        expect(xc[c * plane + i]).toBeCloseTo((Math.min(255, Math.max(0, bic[i]!)) - 128) / 128, 6);
      }
    }
    expect(xc.reduce((m, v) => Math.min(m, v), 0)).toBeGreaterThanOrEqual(-1);
    await legacy.release();
    await clean.release();
  });
});

describe('the contract is checked when the model is loaded', () => {
  test('wrong input name', async () => {
    const m = contractModel(8, 299, { input: 'images', output: 'pool3' });
    await expect(
      OnnxFeatureExtractor.load(m.bytes, { mode: 'clean', contract: { dim: 8 } }),
    ).rejects.toThrow(
      "model: expected an input named 'x' (float32 [B, 3, 299, 299]), got inputs [images]",
    );
  });

  test('wrong feature dimension against the default Inception contract', async () => {
    const m = contractModel(8, 299);
    await expect(OnnxFeatureExtractor.load(m.bytes, { mode: 'clean' })).rejects.toThrow(
      "model: output 'pool3': expected float32 [B, 2048], got float32 [batch, 8]",
    );
  });

  test('wrong input size', async () => {
    const m = contractModel(8, 64);
    await expect(
      OnnxFeatureExtractor.load(m.bytes, { mode: 'clean', contract: { dim: 8 } }),
    ).rejects.toThrow(
      "model: input 'x': expected float32 [B, 3, 299, 299], got float32 [batch, 3, 64, 64]",
    );
  });

  test('not an ONNX file; unknown mode', async () => {
    await expect(
      OnnxFeatureExtractor.load(new Uint8Array([1, 2, 3]), { mode: 'clean' }),
    ).rejects.toThrow(/model: not a loadable ONNX model/);
    const m = contractModel(8, 299);
    await expect(OnnxFeatureExtractor.load(m.bytes, { mode: 'bicubic' as never })).rejects.toThrow(
      `mode: expected 'legacy_pytorch' or 'clean', got "bicubic"`,
    );
  });
});

describe('images through sources (what `ns fid --model --mode` runs)', () => {
  test('an ADM batch (arr_0 uint8 NHWC) becomes features with provenance; the report records it', async () => {
    const dim = 16;
    const model = contractModel(dim, 299);
    const ex = await OnnxFeatureExtractor.load(model.bytes, {
      mode: 'legacy_pytorch',
      contract: { dim },
    });
    try {
      const raw = loadSource(fixture('format', 'adm_batch.npz'));
      expect(raw.kind).toBe('images');
      const a = await extractSource(raw, ex);
      expect(a.kind === 'features' && a.features.rows).toBe(6);
      const direct = await ex.extract((raw as ImageSource).images);
      expect(a.kind === 'features' && Array.from(a.features.data)).toEqual(Array.from(direct));
      const report = compareSources(a, a);
      expect(Math.abs(report.fid)).toBeLessThan(1e-6);
      expect(report.extractor).toEqual({
        mode: 'legacy_pytorch',
        model_sha256: ex.provenance.modelSha256,
      });
    } finally {
      await ex.release();
    }
  });
});

test('stats files record the preprocessing mode and model sha256 beside mu and sigma', () => {
  const dir = mkdtempSync(join(tmpdir(), 'eval-fid-prov-'));
  const path = join(dir, 's.npz');
  const stats = gaussianStatistics(new Float64Array([1, 2]), new Float64Array([1, 0, 0, 1]));
  writeFidStats(path, stats, { mode: 'clean', modelSha256: 'ab'.repeat(32) });
  const z = readNpz(path);
  expect(Object.keys(z)).toEqual(['mu', 'sigma', 'preprocess_mode', 'model_sha256']);
  expect(new TextDecoder().decode(z['model_sha256']!.data as Uint8Array)).toBe('ab'.repeat(32));
  expect(readFidStats(path).mu).toEqual(stats.mu);
});
