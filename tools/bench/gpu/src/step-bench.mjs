// Benchmark: one RIN training step as `ns train` builds it (Algorithm 2, LAMB, EMA), three ways
// on onnxruntime — the one-step graph run once per step (K = 1, the trainer today), the
// multi-step Loop graph run once per step (loop K = 1: the Loop's own cost) and once per K steps
// (loop K: the state crosses host↔device once per K steps) — and, with --peer torch, the PyTorch
// peer of the same RIN and step (peer_torch_cuda.py, on --device). Alternating rounds after a
// warm-up; medians per step, ratios, achieved TFLOP/s, the machine's load and the GEMM peak last.
// The last line is `RESULT <json>` for check.sh's summary.
//   node tools/bench/gpu/src/step-bench.mjs --preset mnist --batch 64 --device cpu --threads 1
//   (on the device: --device cuda --peer torch; --draws trainer uses the trainer's own mask draws)
import { spawn } from 'node:child_process';
import { dirname, join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { formatCount, forwardFlops, paramCount, preset } from '@ns/rin';
import { createStepSession, stackSteps } from '@ns/trainer';
import { rinTrainingSpec, stepFeeds } from '../../common/rin-step.mjs';

const { values: a } = parseArgs({
  options: {
    preset: { type: 'string', default: 'mnist' },
    batch: { type: 'string', default: '64' },
    device: { type: 'string', default: 'cpu' },
    threads: { type: 'string' },
    k: { type: 'string', default: '4' },
    rounds: { type: 'string', default: '6' },
    peer: { type: 'string', default: 'none' },
    draws: { type: 'string', default: 'fast' },
    dropout: { type: 'string', default: 'preset' },
    python: { type: 'string', default: process.env.PYTHON ?? 'python3' },
    // Bundled, this file runs from out/bundle/: check.sh points at the peer in the repository.
    'peer-script': { type: 'string' },
  },
});
const here = dirname(fileURLToPath(import.meta.url));
const B = Number(a.batch);
const K = Number(a.k);
const ROUNDS = Number(a.rounds);
const base = preset(a.preset);
const rin = a.dropout === 'off' ? { ...base, dropout: 0, dropPath: 0 } : base;
const session = {
  device: a.device,
  ...(a.threads === undefined ? {} : { threads: Number(a.threads) }),
  spinning: a.device === 'cpu' ? false : undefined,
};
const { loadavg, cpus } = await import('node:os');
const load = () => `load ${loadavg()[0].toFixed(2)} (1 min) on ${cpus().length} cores`;
const loadBefore = load();

// A variant that fails to build or warm up (the Loop on an EP, the peer) is reported and
// left out, so that one failure on the device still leaves the other numbers.
const failed = {};
const attempt = async (name, fn) => {
  try {
    return await fn();
  } catch (e) {
    failed[name] = String(e instanceof Error ? e.message : e).split('\n')[0];
    console.log(`${name}: failed: ${failed[name]}`);
    return undefined;
  }
};
const K1 = 'ours K=1 (one-step graph)';
const LOOP1 = 'ours loop, K=1 per run';
const LOOPK = `ours loop, K=${K} per run`;
const plain = await createStepSession(rinTrainingSpec(rin), session);
const multi = await attempt('ours loop', () =>
  createStepSession(rinTrainingSpec(rin), { ...session, stepsPerRun: 'K' }),
);
const pool = Array.from({ length: K }, (_, i) =>
  stepFeeds(rin, plain.dataInputs, { step: i + 1, batch: B, draws: a.draws }),
);
const stacked = stackSteps(pool);
const singles = pool.map((f) => stackSteps([f]));
const LR = 1e-4; // small and constant: the same batches are trained on round after round
const lrs = pool.map(() => LR);

const seconds = async (fn) => {
  const t0 = process.hrtime.bigint();
  const own = await fn();
  return typeof own === 'number' ? own : Number(process.hrtime.bigint() - t0) / 1e9;
};
const variants = {
  [K1]: async () => {
    for (const f of pool) await plain.run(f, LR);
  },
};
if (multi) {
  variants[LOOP1] = async () => {
    for (const s of singles) await multi.runSteps(s, [LR]);
  };
  variants[LOOPK] = async () => {
    await multi.runSteps(stacked, lrs);
  };
}

let peer;
if (a.peer === 'torch') {
  peer = await attempt('torch', async () => {
    const child = spawn(
      a.python,
      [
        a['peer-script'] ?? join(here, 'peer_torch_cuda.py'),
        JSON.stringify(rin),
        String(B),
        a.device,
      ],
      { stdio: ['pipe', 'pipe', 'inherit'], env: { ...process.env, PYTHONUNBUFFERED: '1' } },
    );
    const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
    const ask = async (cmd) => {
      if (cmd) child.stdin.write(`${cmd}\n`);
      const { value, done } = await lines.next();
      if (done) throw new Error(`peer_torch_cuda.py exited (after '${cmd ?? 'start'}')`);
      return value;
    };
    if ((await ask()) !== 'ready') throw new Error('peer_torch_cuda.py did not start');
    return { child, ask };
  });
  if (peer) {
    for (const mode of ['tf32', 'fp32']) {
      // The peer times its own steps (synchronised), without the pipe's round trip.
      variants[`torch ${mode}`] = async () =>
        JSON.parse(await peer.ask(`steps ${K} ${mode}`)).seconds;
    }
  }
}

// Warm-up: allocations, kernel and algorithm selection, the Loop's subgraph session.
for (const [name, fn] of Object.entries(variants)) {
  if ((await attempt(name, async () => (await fn()) ?? true)) === undefined) delete variants[name];
}

const names = Object.keys(variants);
const times = Object.fromEntries(names.map((n) => [n, []]));
for (let r = 0; r < ROUNDS; r++) {
  // Rotate the order so that no variant always runs after the same one.
  for (let i = 0; i < names.length; i++) {
    const name = names[(i + r) % names.length];
    times[name].push((await seconds(variants[name])) / K);
  }
}

const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
// Model FLOPs of a step: two forward passes + the backward of one (≈ 2 forwards).
const flops = 4 * forwardFlops(rin).total * B;
const carried = plain.session.inputNames.filter(
  (n) => !plain.dataInputs.includes(n) && n !== 'lr' && n !== 'step',
);
const stateBytes = carried.reduce((s, n) => s + plain.tensor(n).data.byteLength, 0);
const feedBytes = Object.values(pool[0]).reduce((s, t) => s + t.data.byteLength, 0);

console.log(
  `RIN training step (Algorithm 2: 2 forward + 1 backward + LAMB + EMA), preset ${a.preset}${a.dropout === 'off' ? ' without dropout' : ''} (${formatCount(paramCount(rin))} params), batch ${B}, ${a.device}${a.threads ? `, ${a.threads} threads` : ''}, ${ROUNDS} alternating rounds of ${K} steps, masks drawn '${a.draws}'`,
);
console.log(
  `model FLOPs per step: ${formatCount(flops)}; per run the carried state moves in and out: ${(stateBytes / 2 ** 20).toFixed(1)} MiB each way; per-step inputs: ${(feedBytes / 2 ** 20).toFixed(1)} MiB`,
);
// TFLOP/s on the GPU, GFLOP/s on the CPU.
const [unit, per] = a.device === 'cpu' ? ['GFLOP/s', 1e9] : ['TFLOP/s', 1e12];
const med = {};
for (const name of names) {
  const xs = times[name];
  med[name] = median(xs);
  console.log(
    `${name.padEnd(28)} median ${(1000 * med[name]).toFixed(2).padStart(9)} ms/step  (min ${(1000 * Math.min(...xs)).toFixed(2)}, max ${(1000 * Math.max(...xs)).toFixed(2)})  ${(flops / med[name] / per).toFixed(3).padStart(8)} ${unit}`,
  );
}
if (med[LOOPK]) {
  console.log(
    `ratio K=1 / loop K=${K}: ${(med[K1] / med[LOOPK]).toFixed(3)} (> 1: the loop is faster)`,
  );
  console.log(
    `ratio loop K=1 / K=1: ${(med[LOOP1] / med[K1]).toFixed(3)} (the Loop's own overhead)`,
  );
}
const best = Math.min(med[K1], med[LOOPK] ?? Number.POSITIVE_INFINITY);
const ratios = {};
for (const mode of ['tf32', 'fp32']) {
  const torch = med[`torch ${mode}`];
  if (!torch) continue;
  ratios[mode] = { k1: med[K1] / torch, loop: med[LOOPK] ? med[LOOPK] / torch : null };
  console.log(
    `ratio ours/torch ${mode}: K=1 ${ratios[mode].k1.toFixed(3)}${med[LOOPK] ? `, loop K=${K} ${ratios[mode].loop.toFixed(3)}` : ''}`,
  );
}
console.log(`${loadBefore} at the start, ${load()} at the end`);

let peak;
if (peer) {
  peak = JSON.parse(await peer.ask('peak'));
  const mem = JSON.parse(await peer.ask('quit'));
  console.log(
    `GEMM peak (${peak.device}, torch ${peak.size}², median of ${peak.repeats}): float32 ${peak.fp32.toFixed(1)} TFLOP/s, tf32 ${peak.tf32.toFixed(1)} TFLOP/s; torch peak memory ${(mem.max_memory_allocated / 2 ** 30).toFixed(2)} GiB`,
  );
  const pct = (s) => ((100 * flops) / s / 1e12 / peak.tf32).toFixed(1);
  console.log(
    `ours best: ${(flops / best / 1e12).toFixed(2)} TFLOP/s = ${pct(best)} % of the tf32 peak${med['torch tf32'] ? `; torch tf32: ${pct(med['torch tf32'])} %` : ''}`,
  );
} else if (a.device === 'cpu') {
  const { measureGemmPeak, printPeakLines } = await import('../../common/peak.mjs');
  const gemm = measureGemmPeak({ threads: Number(a.threads ?? cpus().length) });
  printPeakLines(
    gemm,
    names.map((n) => ({ label: n, gflops: flops / med[n] / 1e9 })),
  );
}
await plain.release();
await multi?.release();
console.log(
  `RESULT ${JSON.stringify({ preset: a.preset, batch: B, device: a.device, k: K, dropout: a.dropout, flops, stateBytes, feedBytes, median: med, ratios, peak, failed })}`,
);
