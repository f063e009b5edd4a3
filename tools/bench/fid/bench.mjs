// FID benchmark: @ns/eval-fid against numpy/scipy (pytorch-fid's method) on the same data, in one run.
//
//   pnpm --filter @ns/eval-fid build && node tools/bench/fid/bench.mjs [--n 10000] [--dim 2048]
//
// Both sides get the same two float32 feature sets (written as .npy to a temp dir), compute
// float64 mean + covariance (N − 1) of each and the Fréchet distance; the times and the ratio
// (ours / scipy) are printed, with the two FIDs as a correctness check. Python: the pyenv `python3`
// with numpy + scipy (or set PYTHON=...). numpy uses its multi-threaded BLAS; ours is one thread.
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, '..', '..', '..', 'packages', 'eval-fid', 'dist', 'index.js');
if (!existsSync(dist)) {
  console.error('build first: pnpm --filter @ns/eval-fid build');
  process.exit(1);
}
const fid = await import(dist);

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const N = arg('n', 10000);
const D = arg('dim', 2048);
const python = process.env.PYTHON ?? 'python3';

// --- data: ReLU features with a shared low-rank component, like pooled CNN activations
function uniform(seed) {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
function makeFeatures(seed, shift) {
  const u = uniform(seed);
  const normal = () => Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  const rank = 8;
  const basis = Float64Array.from({ length: rank * D }, normal);
  const x = new Float32Array(N * D);
  const h = new Float64Array(rank);
  for (let i = 0; i < N; i++) {
    for (let r = 0; r < rank; r++) h[r] = normal();
    for (let j = 0; j < D; j++) {
      let v = normal() * 0.5 + shift;
      for (let r = 0; r < rank; r++) v += 0.3 * h[r] * basis[r * D + j];
      x[i * D + j] = v > 0 ? v : 0;
    }
  }
  return x;
}

const tmp = mkdtempSync(join(tmpdir(), 'fid-bench-'));
try {
  console.log(`data: 2 × ${N} × ${D} float32 features (${tmp})`);
  const a = makeFeatures(1, 0.2);
  const b = makeFeatures(2, 0.25);
  fid.writeNpy(join(tmp, 'a.npy'), { shape: [N, D], data: a });
  fid.writeNpy(join(tmp, 'b.npy'), { shape: [N, D], data: b });

  // --- ours
  let t0 = performance.now();
  const sa = new fid.FeatureMoments(D).add(a).statistics();
  const sb = new fid.FeatureMoments(D).add(b).statistics();
  const oursStats = (performance.now() - t0) / 1000;
  t0 = performance.now();
  const ours = fid.frechetDistance(sa, sb);
  const oursDistance = (performance.now() - t0) / 1000;

  // --- ours with the optional onnxruntime-node float64 MatMul products (all cores)
  let ortRun = null;
  try {
    const products = await fid.createOrtProducts();
    t0 = performance.now();
    const ma = new fid.FeatureMoments(D, { blockRows: 2048 });
    await (await ma.addAsync(a, products)).flushAsync(products);
    const mb = new fid.FeatureMoments(D, { blockRows: 2048 });
    await (await mb.addAsync(b, products)).flushAsync(products);
    const oa = ma.statistics();
    const ob = mb.statistics();
    const stats = (performance.now() - t0) / 1000;
    t0 = performance.now();
    const r = await fid.frechetDistanceAsync(oa, ob, products);
    ortRun = { stats, distance: (performance.now() - t0) / 1000, fid: r.distance };
    await products.release();
  } catch (error) {
    console.log(`(onnxruntime path skipped: ${error.message})`);
  }

  // --- numpy / scipy (pytorch-fid's calculate_frechet_distance logic)
  const script = `
import json, sys, time, warnings
import numpy as np, scipy, scipy.linalg
warnings.simplefilter("ignore")
a = np.load(sys.argv[1]); b = np.load(sys.argv[2])
t = time.perf_counter()
mu1 = np.mean(a.astype(np.float64), axis=0); s1 = np.cov(a.astype(np.float64), rowvar=False)
mu2 = np.mean(b.astype(np.float64), axis=0); s2 = np.cov(b.astype(np.float64), rowvar=False)
t_stats = time.perf_counter() - t
t = time.perf_counter()
diff = mu1 - mu2
covmean, _ = scipy.linalg.sqrtm(s1.dot(s2), disp=False)
if not np.isfinite(covmean).all():
    off = np.eye(s1.shape[0]) * 1e-6
    covmean = scipy.linalg.sqrtm((s1 + off).dot(s2 + off))
if np.iscomplexobj(covmean):
    covmean = covmean.real
fid = float(diff.dot(diff) + np.trace(s1) + np.trace(s2) - 2 * np.trace(covmean))
t_dist = time.perf_counter() - t
print(json.dumps({"stats": t_stats, "distance": t_dist, "fid": fid, "numpy": np.__version__, "scipy": scipy.__version__}))
`;
  const py = spawnSync(python, ['-c', script, join(tmp, 'a.npy'), join(tmp, 'b.npy')], {
    encoding: 'utf8',
    maxBuffer: 1 << 20,
  });
  if (py.status !== 0) throw new Error(`python failed: ${py.stderr}`);
  const ref = JSON.parse(py.stdout.trim().split('\n').pop());

  const row = (name, o, r) =>
    `${name.padEnd(22)} ours ${o.toFixed(2).padStart(7)} s   scipy ${r.toFixed(2).padStart(7)} s   ratio ${(o / r).toFixed(2)}×`;
  console.log(`reference: numpy ${ref.numpy}, scipy ${ref.scipy} (${python})`);
  const tolerance = 1e-6 * Math.max(1, ref.fid);
  const report = (label, stats, distance, value) => {
    console.log(`-- ${label}`);
    console.log(row('statistics (2 sets)', stats, ref.stats));
    console.log(row('Fréchet distance', distance, ref.distance));
    console.log(row('total', stats + distance, ref.stats + ref.distance));
    const diff = Math.abs(value - ref.fid);
    console.log(
      `FID ours ${value}  scipy ${ref.fid}  |diff| ${diff.toExponential(2)} ${diff <= tolerance ? 'ok' : 'FAIL'} (tolerance ${tolerance.toExponential(1)})`,
    );
    const ratio = (stats + distance) / (ref.stats + ref.distance);
    console.log(
      `goal: total within 2× of scipy → ${ratio <= 2 ? 'met' : 'NOT met'} (${ratio.toFixed(2)}×)`,
    );
  };
  report('pure JS, one thread', oursStats, oursDistance, ours.distance);
  if (ortRun) report('onnxruntime-node float64 MatMul', ortRun.stats, ortRun.distance, ortRun.fid);

  // --- optional: the 2048-d research vector (not committed: 3.7 MB), when available
  const shared = process.env.FID_VECTORS ?? '/work/shared/research/fid-vectors';
  if (existsSync(join(shared, 'd2048.npz'))) {
    const cases = JSON.parse(readFileSync(join(shared, 'cases.json'), 'utf8'));
    const c = cases.cases.find((x) => x.name === 'd2048');
    const z = fid.NpzArchive.open(join(shared, 'd2048.npz'));
    const qa = z.get('a');
    const qb = z.get('b');
    z.close();
    const fa = Float64Array.from(qa.data, (v) => v / 16);
    const fb = Float64Array.from(qb.data, (v) => v / 16);
    const r = fid.frechetDistance(fid.featureStatistics(fa, 2048), fid.featureStatistics(fb, 2048));
    const want = c.fid.pytorch_fid.fid;
    const d = Math.abs(r.distance - want);
    console.log(
      `d2048 research vector: ours ${r.distance}  pytorch-fid ${want}  |diff| ${d.toExponential(2)}  ${d <= 1e-6 * Math.max(1, want) ? 'ok' : 'FAIL'}`,
    );
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}
