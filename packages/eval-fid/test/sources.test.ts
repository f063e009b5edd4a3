import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  compareSources,
  FeatureMoments,
  featureMatrix,
  kernelInceptionDistance,
  loadFeatureSource,
  precisionRecall,
  readNpy,
  sourceStatistics,
  toFloat64,
  writeFidStats,
  writeMoments,
  writeNpz,
} from '../src/index.js';
import { fixture, readJson } from './helpers.js';

const cases = readJson<{ cases: { name: string; fid: { pytorch_fid: { fid: number } } }[] }>(
  'cases.json',
);
const ref64 = cases.cases.find((c) => c.name === 'd64')!.fid.pytorch_fid.fid;
const dir = mkdtempSync(join(tmpdir(), 'eval-fid-src-'));

describe('loadFeatureSource and compareSources (what `ns fid` runs)', () => {
  const a = loadFeatureSource(fixture('d64_a.npy'));
  const b = loadFeatureSource(fixture('d64_b.npy'));

  test('.npy features on both sides', () => {
    expect(a.kind).toBe('features');
    const r = compareSources(a, b);
    expect(Math.abs(r.fid - ref64)).toBeLessThan(1e-6 * ref64);
    expect([r.dim, r.n_a, r.n_b]).toEqual([64, 500, 400]);
  });

  test('stats files written by `fid stats` give the same FID', () => {
    writeFidStats(join(dir, 'a.npz'), sourceStatistics(a));
    writeFidStats(join(dir, 'b.npz'), sourceStatistics(b));
    const sa = loadFeatureSource(join(dir, 'a.npz'));
    expect(sa.kind).toBe('statistics');
    const r = compareSources(sa, loadFeatureSource(join(dir, 'b.npz')));
    expect(Math.abs(r.fid - ref64)).toBeLessThan(1e-6 * ref64);
    expect(r.n_a).toBeNull(); // pytorch-fid files do not record N
  });

  test('moments shards and .npz feature arrays are accepted', () => {
    const x = readNpy(fixture('d64_a.npy'));
    const data = toFloat64(x);
    const half = 250 * 64;
    const m1 = new FeatureMoments(64).add(data.subarray(0, half));
    const m2 = new FeatureMoments(64).add(data.subarray(half));
    writeMoments(join(dir, 'm1.npz'), m1.snapshot());
    const shard = loadFeatureSource(join(dir, 'm1.npz'));
    expect(shard.kind).toBe('statistics');
    writeNpz(join(dir, 'f.npz'), { arr_0: { shape: [250, 64], data: data.subarray(half) } });
    const feats = loadFeatureSource(join(dir, 'f.npz'));
    expect(feats.kind).toBe('features');
    const merged = FeatureMoments.fromSnapshot(m2.snapshot())
      .merge(sourceStatisticsAsMoments(shard))
      .statistics();
    expect(merged.count).toBe(500);
    const whole = sourceStatistics(loadFeatureSource(fixture('d64_a.npy')));
    merged.sigma.forEach((v, i) => {
      expect(Math.abs(v - whole.sigma[i]!)).toBeLessThan(1e-13);
    });
    expect(sourceStatistics(feats).count).toBe(250);
  });

  test('--kid and --pr match the library functions', () => {
    const r = compareSources(a, b, {
      kid: { subsets: 3, subsetSize: 100, seed: 9 },
      precisionRecallK: 3,
    });
    const fa = a.kind === 'features' ? a.features : featureMatrix([], 1);
    const fb = b.kind === 'features' ? b.features : featureMatrix([], 1);
    expect(r.kid).toBe(
      kernelInceptionDistance(fa, fb, { subsets: 3, subsetSize: 100, seed: 9 }).kid,
    );
    const pr = precisionRecall(fa, fb);
    expect([r.precision, r.recall]).toEqual([pr.precision, pr.recall]);
  });

  test('clear errors: images, folders, statistics where features are needed, dimension mismatch', () => {
    expect(() => loadFeatureSource(fixture('format', 'adm_batch.npz'))).toThrow(
      /adm_batch\.npz: holds uint8 images \[6, 8, 8, 3\]: images need a feature extractor/,
    );
    expect(() => loadFeatureSource(fixture('golden', 'png', 'folder'))).toThrow(
      /folder: holds uint8 images \[3, 6, 5, 3\]: images need a feature extractor/,
    );
    expect(() => loadFeatureSource(fixture('format'))).toThrow(
      /format: expected \.png images in the folder, found none/,
    );
    expect(() => loadFeatureSource(join(dir, 'missing.npy'))).toThrow(/missing\.npy: no such file/);
    const stats = loadFeatureSource(fixture('format', 'stats_stored.npz'));
    expect(() => compareSources(stats, b, { kid: true })).toThrow(/dimension 16/);
    expect(() => compareSources(loadFeatureSource(join(dir, 'a.npz')), b, { kid: true })).toThrow(
      /a\.npz: KID needs feature arrays, but this file holds only statistics/,
    );
  });
});

function sourceStatisticsAsMoments(s: ReturnType<typeof loadFeatureSource>) {
  // a shard loaded as statistics converts back to moments: scatter = sigma · (N − 1)
  const st = sourceStatistics(s);
  const n = st.count!;
  return { dim: st.dim, count: n, mean: st.mu, scatter: st.sigma.map((v) => v * (n - 1)) };
}
