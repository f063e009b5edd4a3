import {
  featureMatrix,
  inceptionScore,
  kernelInceptionDistance,
  kidFromSubsets,
  precisionRecall,
  readNpy,
  toFloat64,
} from '../src/index.js';
import { fixture, readJson } from './helpers.js';

interface Golden {
  kid: {
    a: string;
    b: string;
    pairs: { a: number[]; b: number[]; mmd: number }[];
    first4: { kid: number; std: number };
  };
  inception_score: {
    logits: string;
    results: { splits: number; mean: number; std: number; scores: number[] }[];
  };
  precision_recall: {
    real: string;
    generated: string;
    results: { k: number; precision: number; recall: number }[];
  };
}
const golden = readJson<Golden>('golden', 'golden.json');

function load(name: string) {
  const arr = readNpy(fixture('golden', name));
  return featureMatrix(toFloat64(arr), arr.shape[1]!);
}

describe('KID (unbiased MMD², cubic polynomial kernel) against the numpy reference', () => {
  const a = load(golden.kid.a);
  const b = load(golden.kid.b);

  test.each(golden.kid.pairs.map((p, i) => [i, p] as const))('subset pair %i', (_i, p) => {
    const r = kidFromSubsets(a, b, [p]);
    expect(Math.abs(r.kid - p.mmd)).toBeLessThan(1e-12 * Math.max(1, Math.abs(p.mmd)));
  });

  test('mean and std over subsets', () => {
    const r = kidFromSubsets(a, b, golden.kid.pairs.slice(0, 4));
    expect(r.kid).toBeCloseTo(golden.kid.first4.kid, 12);
    expect(r.std).toBeCloseTo(golden.kid.first4.std, 12);
  });

  test('seeded random subsets: reproducible, sized min(N1, N2, subsetSize), near 0 for one distribution', () => {
    const r1 = kernelInceptionDistance(a, b, { subsets: 8, subsetSize: 60, seed: 3 });
    const r2 = kernelInceptionDistance(a, b, { subsets: 8, subsetSize: 60, seed: 3 });
    expect(r1.values).toEqual(r2.values);
    expect(r1.subsetSize).toBe(60);
    expect(kernelInceptionDistance(a, b, { subsets: 1 }).subsetSize).toBe(120);
    // two halves of the same sample: the unbiased estimate scatters around 0, far below a-vs-b
    const half1 = featureMatrix((a.data as Float64Array).subarray(0, 75 * 16), 16);
    const half2 = featureMatrix((a.data as Float64Array).subarray(75 * 16), 16);
    const same = kernelInceptionDistance(half1, half2, { subsets: 20, seed: 1 });
    expect(Math.abs(same.kid)).toBeLessThan(r1.kid / 4);
  });
});

describe('Inception Score against the numpy reference', () => {
  const logits = load(golden.inception_score.logits);
  test.each(
    golden.inception_score.results.map((r) => [r.splits, r] as const),
  )('%i splits', (splits, r) => {
    const got = inceptionScore(logits, splits);
    expect(got.mean).toBeCloseTo(r.mean, 11);
    expect(got.std).toBeCloseTo(r.std, 11);
    r.scores.forEach((s, i) => {
      expect(got.scores[i]).toBeCloseTo(s, 11);
    });
  });

  test('uniform predictions score 1; one-hot predictions over C classes score C', () => {
    expect(inceptionScore(featureMatrix(new Float64Array(40), 4), 2).mean).toBeCloseTo(1, 14);
    const onehot = new Float64Array(40 * 4);
    for (let i = 0; i < 40; i++) onehot[i * 4 + (i % 4)] = 200;
    expect(inceptionScore(featureMatrix(onehot, 4), 1).mean).toBeCloseTo(4, 12);
  });

  test('rejects more splits than samples', () => {
    expect(() => inceptionScore(featureMatrix(new Float64Array(12), 4), 4)).toThrow(
      'splits: expected an integer in [1, 3] (the number of samples), got 4',
    );
  });
});

describe('precision/recall (k-NN manifolds) against the scipy reference', () => {
  const real = load(golden.precision_recall.real);
  const gen = load(golden.precision_recall.generated);
  test.each(golden.precision_recall.results.map((r) => [r.k, r] as const))('k = %i', (k, r) => {
    for (const blockRows of [7, 1024]) {
      const got = precisionRecall(real, gen, { k, blockRows });
      expect(got.precision).toBe(r.precision);
      expect(got.recall).toBe(r.recall);
    }
  });

  test('a set against itself has precision = recall = 1', () => {
    expect(precisionRecall(real, real)).toEqual({ precision: 1, recall: 1, k: 3 });
  });
});
