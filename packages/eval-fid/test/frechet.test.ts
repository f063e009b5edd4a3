import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FeatureMoments,
  featureStatistics,
  frechetDistance,
  type GaussianStatistics,
  gaussianStatistics,
  NpzArchive,
  readMoments,
  readNpy,
  toFloat64,
  writeMoments,
} from '../src/index.js';
import { fixture, readJson } from './helpers.js';
import { normals, rng, rotatedDiagonal } from './random.js';

interface CaseFid {
  fid: number;
  tr_covmean: number;
}
interface Case {
  name: string;
  n_a: number;
  n_b: number;
  dim: number;
  files: { a?: string; b?: string; stats?: string };
  stats_summary: {
    sum_mu_a: number;
    sum_sigma_a: number;
    sum_sigma_b: number;
    frob_sigma_a: number;
  };
  fid: { mean_term: number; trace_sigma1: number; trace_sigma2: number; pytorch_fid: CaseFid };
  fid_a_vs_a: { pytorch_fid: CaseFid };
}
interface Analytic {
  dim: number;
  exact_fid: number;
  a?: number[];
  b?: number[];
  mu1?: number[];
  mu2?: number[];
  Q?: number[][];
}
const manifest = readJson<{ cases: Case[]; analytic: Analytic[] }>('cases.json');
const fileCases = manifest.cases.filter((c) => c.files.a !== undefined);

function tolerance(c: { n_a: number; n_b: number; dim: number }, fid: number): number {
  const fullRank = c.n_a > c.dim && c.n_b > c.dim;
  return fullRank ? 1e-6 * Math.max(1, Math.abs(fid)) : 1e-5;
}

function features(file: string): { data: Float64Array; rows: number; dim: number } {
  const arr = readNpy(fixture(file));
  return { data: toFloat64(arr), rows: arr.shape[0]!, dim: arr.shape[1]! };
}

function referenceStats(c: Case, which: 'a' | 'b'): GaussianStatistics {
  const archive = NpzArchive.fromBytes(
    require('node:fs').readFileSync(fixture(c.files.stats!)),
    c.files.stats,
  );
  return gaussianStatistics(
    toFloat64(archive.get(`mu_${which}`)),
    toFloat64(archive.get(`sigma_${which}`)),
  );
}

function maxRelDiff(a: Float64Array, b: Float64Array): number {
  let scale = 0;
  let diff = 0;
  for (let i = 0; i < a.length; i++) {
    scale = Math.max(scale, Math.abs(b[i]!));
    diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
  }
  return diff / scale;
}

describe.each(fileCases.map((c) => [c.name, c] as const))('fixture case %s', (_name, c) => {
  const A = features(c.files.a!);
  const B = features(c.files.b!);
  const statsA = featureStatistics(A.data, A.dim);
  const statsB = featureStatistics(B.data, B.dim);

  test('mean and covariance (N − 1) match numpy to 1e-11 relative', () => {
    const refA = referenceStats(c, 'a');
    const refB = referenceStats(c, 'b');
    expect(statsA.count).toBe(c.n_a);
    expect(maxRelDiff(statsA.mu, refA.mu)).toBeLessThan(1e-11);
    expect(maxRelDiff(statsA.sigma, refA.sigma)).toBeLessThan(1e-11);
    expect(maxRelDiff(statsB.sigma, refB.sigma)).toBeLessThan(1e-11);
    const sum = statsA.sigma.reduce((s, v) => s + v, 0);
    expect(Math.abs(sum - c.stats_summary.sum_sigma_a)).toBeLessThan(
      1e-11 * c.stats_summary.frob_sigma_a * c.dim,
    );
  });

  test('FID from our statistics agrees with pytorch-fid', () => {
    const ref = c.fid.pytorch_fid.fid;
    const r = frechetDistance(statsA, statsB);
    expect(Math.abs(r.distance - ref)).toBeLessThanOrEqual(tolerance(c, ref));
    expect(r.meanTerm).toBeCloseTo(c.fid.mean_term, 10);
    expect(r.trace1).toBeCloseTo(c.fid.trace_sigma1, 10);
    expect(r.trace2).toBeCloseTo(c.fid.trace_sigma2, 10);
  });

  test('FID from the reference statistics file agrees with pytorch-fid', () => {
    const ref = c.fid.pytorch_fid.fid;
    const r = frechetDistance(referenceStats(c, 'a'), referenceStats(c, 'b'));
    expect(Math.abs(r.distance - ref)).toBeLessThanOrEqual(tolerance(c, ref));
    if (c.n_b <= c.dim) expect(r.rank).toBeLessThan(c.dim); // singular Σ2 handled, no NaN
  });

  test('FID(a, a) ≈ 0', () => {
    const r = frechetDistance(statsA, statsA);
    expect(Math.abs(r.distance)).toBeLessThan(1e-6);
    expect(Math.abs(r.distance - c.fid_a_vs_a.pytorch_fid.fid)).toBeLessThanOrEqual(
      tolerance(c, 0),
    );
  });

  test('streaming in uneven batches and merging shards give the same statistics', () => {
    const u = rng(c.dim);
    const whole = new FeatureMoments(A.dim, { blockRows: 17 });
    let r = 0;
    while (r < A.rows) {
      const take = Math.min(A.rows - r, 1 + Math.floor(u() * 40));
      whole.add(A.data.subarray(r * A.dim, (r + take) * A.dim));
      r += take;
    }
    const cut = Math.floor(A.rows / 3);
    const shard1 = new FeatureMoments(A.dim).add(A.data.subarray(0, cut * A.dim));
    const shard2 = new FeatureMoments(A.dim).add(A.data.subarray(cut * A.dim));
    const merged = FeatureMoments.fromSnapshot(shard2.snapshot()).merge(shard1).statistics();
    for (const s of [whole.statistics(), merged]) {
      expect(s.count).toBe(A.rows);
      expect(maxRelDiff(s.mu, statsA.mu)).toBeLessThan(1e-13);
      expect(maxRelDiff(s.sigma, statsA.sigma)).toBeLessThan(1e-12);
    }
  });
});

describe('analytic closed-form cases', () => {
  test('d = 8 with the Q from cases.json', () => {
    const c = manifest.analytic.find((x) => x.dim === 8)!;
    const d = 8;
    const build = (diag: number[]) => {
      const S = new Float64Array(d * d);
      for (let i = 0; i < d; i++) {
        for (let j = 0; j < d; j++) {
          let s = 0;
          for (let k = 0; k < d; k++) s += c.Q![i]![k]! * diag[k]! * c.Q![j]![k]!;
          S[i * d + j] = s;
        }
      }
      return S;
    };
    const r = frechetDistance(
      gaussianStatistics(Float64Array.from(c.mu1!), build(c.a!)),
      gaussianStatistics(Float64Array.from(c.mu2!), build(c.b!)),
    );
    expect(Math.abs(r.distance - c.exact_fid)).toBeLessThan(1e-12);
  });

  test.each([64, 300])('d = %i, commuting covariances Q diag(a) Qᵀ, Q diag(b) Qᵀ', (d) => {
    const u = rng(d);
    const a = new Float64Array(d).map(() => 0.01 + 1.99 * u());
    const b = new Float64Array(d).map(() => 0.01 + 1.99 * u());
    const mu1 = normals(d + 1, d).map((x) => x * 0.1);
    const mu2 = normals(d + 2, d).map((x) => x * 0.1);
    let exact = 0;
    for (let i = 0; i < d; i++)
      exact += (mu1[i]! - mu2[i]!) ** 2 + (Math.sqrt(a[i]!) - Math.sqrt(b[i]!)) ** 2;
    const r = frechetDistance(
      gaussianStatistics(mu1, rotatedDiagonal(a, 5)),
      gaussianStatistics(mu2, rotatedDiagonal(b, 5)),
    );
    expect(Math.abs(r.distance - exact)).toBeLessThan(1e-9 * Math.max(1, exact));
    expect(r.rank).toBe(d);
  });

  describe('rank-deficient Σ2 (3 non-zero directions of 20): tr √(Σ1Σ2) = Σ √(s1 s2)', () => {
    const d = 20;
    const s1 = new Float64Array(d).map((_, i) => 1 + i / 10);
    const s2 = new Float64Array(d).map((_, i) => (i % 7 === 0 ? 2 + i : 0));
    let exact = 0;
    for (let i = 0; i < d; i++) exact += Math.sqrt(s1[i]! * s2[i]!);

    test('exact zeros: rank 3 and the exact value', () => {
      const diag = (v: Float64Array) => {
        const S = new Float64Array(d * d);
        v.forEach((x, i) => {
          S[i * d + i] = x;
        });
        return S;
      };
      const r = frechetDistance(
        gaussianStatistics(new Float64Array(d), diag(s1)),
        gaussianStatistics(new Float64Array(d), diag(s2)),
      );
      expect(r.rank).toBe(3);
      expect(Math.abs(r.traceSqrtProduct - exact)).toBeLessThan(1e-13);
    });

    test('rotated (zeros become rounding noise): within the singular tolerance 1e-5', () => {
      // Like pytorch-fid, the noise directions are not thresholded away, so their square roots
      // (~1e-8 each) add up; that is why the singular-case tolerance is 1e-5.
      const r = frechetDistance(
        gaussianStatistics(new Float64Array(d), rotatedDiagonal(s1, 2)),
        gaussianStatistics(new Float64Array(d), rotatedDiagonal(s2, 2)),
      );
      expect(Math.abs(r.traceSqrtProduct - exact)).toBeLessThan(1e-5 / 2);
    });
  });
});

describe('sharded statistics (moments merged across K = 3 shards)', () => {
  // Another process (or machine) computes each shard's moments; the merged FID must be the
  // unsharded one to 1e-9 relative, whatever the split and the order of the merge.
  const A = features('d64_a.npy');
  const B = features('d64_b.npy');
  const whole = frechetDistance(featureStatistics(A.data, A.dim), featureStatistics(B.data, B.dim));
  const cuts = [0, 123, 373, A.rows];
  const shards = [0, 1, 2].map((k) =>
    new FeatureMoments(A.dim, { blockRows: 50 })
      .add(A.data.subarray(cuts[k]! * A.dim, cuts[k + 1]! * A.dim))
      .snapshot(),
  );

  test.each([
    ['in order', [0, 1, 2]],
    ['reversed', [2, 1, 0]],
    ['middle first', [1, 0, 2]],
  ])('merged %s, through shard files: FID equals the unsharded FID to 1e-9', (_name, order) => {
    const dir = mkdtempSync(join(tmpdir(), 'eval-fid-shards-'));
    try {
      const files = order.map((k) => {
        const file = join(dir, `shard-${k}.npz`);
        writeMoments(file, shards[k]!);
        return file;
      });
      const merged = FeatureMoments.fromSnapshot(readMoments(files[0]!));
      for (const file of files.slice(1)) merged.merge(readMoments(file));
      const stats = merged.statistics();
      expect(stats.count).toBe(A.rows);
      const r = frechetDistance(stats, featureStatistics(B.data, B.dim));
      expect(Math.abs(r.distance - whole.distance)).toBeLessThanOrEqual(1e-9 * whole.distance);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('numerical care', () => {
  test('a large common offset does not destroy the covariance (no Σxxᵀ − nμμᵀ cancellation)', () => {
    const n = 500;
    const d = 6;
    const x = normals(42, n * d);
    const shifted = x.map((v) => v + 1e8);
    const plain = featureStatistics(x, d);
    const off = featureStatistics(shifted, d);
    // the offset itself is exact in float64 to ~1e-8 per value; the covariance keeps ~8 digits
    expect(maxRelDiff(off.sigma, plain.sigma)).toBeLessThan(1e-6);
  });

  test('errors name the argument, the expected and the got', () => {
    expect(() => new FeatureMoments(4).add(new Float64Array(6))).toThrow(
      'features: expected a multiple of dim = 4 values (rows × 4), got 6',
    );
    expect(() => new FeatureMoments(2).add([1, 2]).statistics()).toThrow(
      'features: expected at least 2 samples for a covariance, got 1',
    );
    expect(() => new FeatureMoments(2).add([1, Number.NaN])).toThrow(
      'features[0, 1]: expected a finite number, got NaN',
    );
    const s = gaussianStatistics(new Float64Array(2), new Float64Array(4));
    const t = gaussianStatistics(new Float64Array(3), new Float64Array(9));
    expect(() => frechetDistance(s, t)).toThrow(/same dimension/);
  });
});
