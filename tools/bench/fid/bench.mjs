// FID benchmark: @ns/eval-fid against numpy doing the same algorithm (peer_numpy.py), same data,
// same threads, alternating rounds after a warm-up, in one run.
//
//   pnpm bench:fid [--n 10000] [--dim 2048] [--rounds 5] [--threads 2] [--spin] [--js] [--no-sqrtm]
//   setup (once, on a fresh machine): apt-get install -y python3-numpy python3-scipy (or PYTHON=…)
//
// Both sides get the same two float32 feature sets (.npy in a temp dir) and compute float64 mean +
// covariance (N − 1) of each, the pivoted Cholesky Σ2[p, p] = L Lᵀ, M = Lᵀ Σ1[p, p] L, the
// eigenvalues of M and FID = ‖μ1 − μ2‖² + tr Σ1 + tr Σ2 − 2 Σ √λ₊. Ours runs its large products on
// onnxruntime-node (float64, `threads` intra-op threads); numpy runs OpenBLAS/LAPACK with the same
// number of threads (OPENBLAS_NUM_THREADS, OMP_NUM_THREADS, OMP_WAIT_POLICY=PASSIVE). Printed:
// median times per stage and in total, the median of the per-round ratios, both FIDs, scipy's
// sqrtm route (pytorch-fid) as context, the load, and last the GEMM-peak lines and
// `ratio ours/numpy: <median ratio>`. --js adds one round of the pure-JS path (one thread).
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { NUMPY_SETUP, numpyPython } from '../common/numpy-peer.mjs';
import { loadLine, measureGemmPeak, printPeakLines } from '../common/peak.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const dist = join(here, '..', '..', '..', 'packages', 'eval-fid', 'dist', 'index.js');
if (!existsSync(dist)) {
  console.error('build first: pnpm --filter @ns/eval-fid build (pnpm bench:fid does it)');
  process.exit(1);
}
const fid = await import(dist);

const flag = (name) => process.argv.includes(`--${name}`);
const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? Number(process.argv[i + 1]) : fallback;
};
const N = arg('n', 10000);
const D = arg('dim', 2048);
const ROUNDS = arg('rounds', 5);
const THREADS = arg('threads', cpus().length);
const SPINNING = flag('spin'); // @ns/eval-fid's default is off (its JS work runs between products)
const python = numpyPython(['numpy', 'scipy']);
const SETUP = NUMPY_SETUP;

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

/** The numpy peer as a long-lived process: one JSON line per command. */
function startPeer(files) {
  const env = {
    ...process.env,
    OPENBLAS_NUM_THREADS: String(THREADS),
    OMP_NUM_THREADS: String(THREADS),
    MKL_NUM_THREADS: String(THREADS),
    OMP_WAIT_POLICY: 'PASSIVE',
  };
  const child = spawn(python, [join(here, 'peer_numpy.py'), ...files], {
    env,
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let stderr = '';
  let spawnError = '';
  child.stderr.on('data', (d) => {
    stderr += d;
  });
  child.on('error', (error) => {
    spawnError = error.message;
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const failure = () => {
    const last = spawnError || stderr.trim().split('\n').pop() || `${python} exited`;
    return spawnError || /ModuleNotFoundError|No module named/.test(stderr)
      ? `numpy peer unavailable (${last}); set up once with: ${SETUP}`
      : `numpy peer failed: ${last}`;
  };
  const next = async () => {
    const { value, done } = await lines.next();
    if (done) throw new Error(failure());
    return JSON.parse(value);
  };
  return {
    versions: next,
    async run(command) {
      child.stdin.write(`${command}\n`);
      return next();
    },
    stop() {
      child.stdin.end();
    },
  };
}

/** The 2048-d research vector (pytorch-fid's FID of quantised features), when it is present. */
async function researchVector(products) {
  const shared = process.env.FID_VECTORS ?? '/work/shared/research/fid-vectors';
  if (!existsSync(join(shared, 'd2048.npz'))) return;
  const cases = JSON.parse(readFileSync(join(shared, 'cases.json'), 'utf8'));
  const want = cases.cases.find((x) => x.name === 'd2048').fid.pytorch_fid.fid;
  const z = fid.NpzArchive.open(join(shared, 'd2048.npz'));
  const [fa, fb] = ['a', 'b'].map((k) => Float64Array.from(z.get(k).data, (v) => v / 16));
  z.close();
  const stats = (x) =>
    products ? fid.featureStatisticsAsync(x, 2048, products) : fid.featureStatistics(x, 2048);
  const [sa, sb] = [await stats(fa), await stats(fb)];
  const r = products
    ? await fid.frechetDistanceAsync(sa, sb, products)
    : fid.frechetDistance(sa, sb);
  const rel = Math.abs(r.distance - want) / Math.max(1, want);
  console.log(
    `d2048 research vector: ours ${r.distance}  pytorch-fid ${want}  relative diff ${rel.toExponential(2)} ${rel <= 1e-6 ? 'ok' : 'FAIL'}`,
  );
}

const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : 0.5 * (s[m - 1] + s[m]);
};
const seconds = (t0) => (performance.now() - t0) / 1000;

const tmp = mkdtempSync(join(tmpdir(), 'fid-bench-'));
let peer;
try {
  console.log(`data: 2 × ${N} × ${D} float32 features; ${THREADS} threads on each side`);
  console.log(`start: ${loadLine()}`);
  const a = makeFeatures(1, 0.2);
  const b = makeFeatures(2, 0.25);
  const files = [join(tmp, 'a.npy'), join(tmp, 'b.npy')];
  fid.writeNpy(files[0], { shape: [N, D], data: a });
  fid.writeNpy(files[1], { shape: [N, D], data: b });

  peer = startPeer(files);
  let versions;
  try {
    versions = await peer.versions();
  } catch (error) {
    console.log(error.message);
    process.exit(1);
  }

  let products = null;
  try {
    products = await fid.createOrtProducts({ threads: THREADS, spinning: SPINNING });
  } catch (error) {
    console.log(`onnxruntime-node unavailable, ours runs pure JS (${error.message})`);
  }
  const engine = products
    ? `onnxruntime-node float64 Gemm, ${THREADS} threads, spinning ${SPINNING ? 'on' : 'off'}`
    : 'pure JS, one thread';

  /** One round of ours: statistics of both sets, then the distance, timed per stage. */
  async function oursRound(withProducts) {
    const stages = {};
    const onStage = (name, s) => {
      stages[name] = (stages[name] ?? 0) + s;
    };
    const t0 = performance.now();
    const stats = async (x) =>
      withProducts ? fid.featureStatisticsAsync(x, D, withProducts) : fid.featureStatistics(x, D);
    const sa = await stats(a);
    const sb = await stats(b);
    const statistics = seconds(t0);
    const r = withProducts
      ? await fid.frechetDistanceAsync(sa, sb, withProducts, { onStage })
      : fid.frechetDistance(sa, sb, { onStage });
    const total = seconds(t0);
    const cholM =
      stages.cholesky === undefined ? undefined : stages.cholesky + (stages.congruence ?? 0);
    return {
      statistics,
      cholesky_m: cholM,
      eigenvalues: stages.eigenvalues,
      total,
      fid: r.distance,
      rank: r.rank,
      stages,
    };
  }

  // warm-up: page faults, thread pools, JIT, BLAS buffers
  await oursRound(products);
  await peer.run('round');

  const ours = [];
  const numpy = [];
  for (let round = 0; round < ROUNDS; round++) {
    if (round % 2 === 0) {
      ours.push(await oursRound(products));
      numpy.push(await peer.run('round'));
    } else {
      numpy.push(await peer.run('round'));
      ours.push(await oursRound(products));
    }
    const o = ours.at(-1);
    const p = numpy.at(-1);
    console.log(
      `round ${round + 1}: ours ${o.total.toFixed(2)} s, numpy ${p.total.toFixed(2)} s, ratio ${(o.total / p.total).toFixed(2)}`,
    );
  }
  const jsRound = flag('js') ? await oursRound(null) : null;
  const sqrtm = flag('no-sqrtm') ? null : await peer.run('sqrtm');
  peer.stop();

  console.log(`peer: numpy ${versions.numpy}, scipy ${versions.scipy} (${python})`);
  console.log(`ours: ${engine}`);
  const cell = (v) => (v === undefined ? '—'.padStart(8) : `${v.toFixed(3).padStart(7)}s`);
  const stageRow = (label, key) => {
    const o = ours.every((r) => r[key] !== undefined) ? median(ours.map((r) => r[key])) : undefined;
    const p = median(numpy.map((r) => r[key]));
    const ratio = o === undefined ? '' : `${(o / p).toFixed(2)}×`;
    return `${label.padEnd(34)} ${cell(o)} ${cell(p)}  ${ratio}`;
  };
  console.log(
    `median of ${ROUNDS} alternating rounds    ${'ours'.padStart(8)} ${'numpy'.padStart(8)}`,
  );
  console.log(stageRow('covariances (2 sets, SYRK)', 'statistics'));
  console.log(stageRow('pivoted Cholesky + M = Lᵀ Σ1 L', 'cholesky_m'));
  console.log(stageRow('eigenvalues of M', 'eigenvalues'));
  console.log(stageRow('total', 'total'));
  const stageNames = Object.keys(ours[0].stages);
  if (stageNames.length > 0) {
    const parts = stageNames.map(
      (k) => `${k} ${median(ours.map((r) => r.stages[k])).toFixed(3)} s`,
    );
    console.log(`ours, distance in detail: ${parts.join(', ')}`);
  }
  if (jsRound) {
    console.log(
      `context: ours pure JS, one thread, one round: ${jsRound.total.toFixed(2)} s (covariances ${jsRound.statistics.toFixed(2)} s), FID ${jsRound.fid}`,
    );
  }

  const fOurs = ours.at(-1).fid;
  const fPeer = numpy.at(-1).fid;
  const rel = Math.abs(fOurs - fPeer) / Math.max(1, Math.abs(fPeer));
  console.log(
    `FID ours ${fOurs}  numpy ${fPeer}  relative diff ${rel.toExponential(2)} ${rel <= 1e-6 ? 'ok' : 'FAIL'} (≤ 1e-6); rank ${ours.at(-1).rank} / ${numpy.at(-1).rank}`,
  );
  if (sqrtm) {
    console.log(
      `context: pytorch-fid's scipy.linalg.sqrtm route on the same statistics: ${sqrtm.seconds.toFixed(2)} s for the distance alone, FID ${sqrtm.fid}`,
    );
  }
  await researchVector(products);
  console.log(`end: ${loadLine()}`);

  // Useful work: N·D² flops per covariance (a SYRK: N·D²/2 multiply-adds).
  const gflops = (flops, key, rows) => flops / median(rows.map((r) => r[key])) / 1e9;
  const covFlops = 2 * N * D * D;
  const peak = measureGemmPeak({ threads: THREADS });
  printPeakLines(peak, [
    {
      label: 'ours covariances (N·D² flops each, the SYRK count)',
      gflops: gflops(covFlops, 'statistics', ours),
    },
    { label: 'numpy covariances', gflops: gflops(covFlops, 'statistics', numpy) },
  ]);
  const ratios = ours.map((o, i) => o.total / numpy[i].total);
  console.log(`ratio ours/numpy: ${median(ratios).toFixed(3)}`);
} finally {
  peer?.stop();
  rmSync(tmp, { recursive: true, force: true });
}
