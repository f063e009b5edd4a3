#!/usr/bin/env node
// Benchmark: one pre-LN transformer block, forward + backward + AdamW, float32 on CPU.
// Ours (@ns/graph training_model on onnxruntime-node) against PyTorch (Debian python3-torch),
// with the same thread count, alternating in one run; each measurement is a fresh child process
// so peak RSS is per implementation. Prints medians, the ratio, peak RSS and GFLOP/s; the last
// line is `ratio ours/torch: <median ratio>`.
//
//   node tools/bench/graph/bench.mjs [--B 64 --T 256 --D 256 --H 4 --threads 2 --rounds 3 --steps 5 --warmup 2]
import { spawnSync } from 'node:child_process';
import { loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? Number(args[i + 1]) : dflt;
};
const cfg = {
  B: opt('B', 64),
  T: opt('T', 256),
  D: opt('D', 256),
  H: opt('H', 4),
  threads: opt('threads', 2),
  rounds: opt('rounds', 3),
  steps: opt('steps', 5),
  warmup: opt('warmup', 2),
  // 0 turns off ORT's CPU memory arena (lower peak RSS, possibly slower).
  arena: opt('arena', 1),
  // 0 stops idle onnxruntime threads from spinning (helps on a busy shared machine).
  spin: opt('spin', 1),
};

if (args[0] === '--child') {
  await child(cfg);
} else {
  parent(cfg);
}

async function child(c) {
  const G = await import(join(here, '..', '..', '..', 'packages', 'graph', 'dist', 'index.js'));
  const model = {
    inputs: { x: { shape: [c.B, c.T, c.D] } },
    trainInputs: { target: { shape: [c.B, c.T, c.D] } },
    build(scope, i) {
      const y = G.nn.transformerBlock(scope.child('block'), i.x, {
        heads: c.H,
        mlpRatio: 4,
        activation: 'gelu',
      });
      return { outputs: {}, loss: i.target ? G.meanSquare(G.sub(y, i.target)) : undefined };
    },
  };
  const spec = {
    model,
    params: new G.Params({ seed: 0 }),
    optimizer: G.adamw({ weightDecay: 0.01 }),
  };
  const trainer = await G.createTrainer(spec, {
    threads: c.threads,
    optimization: 'all',
    memoryArena: c.arena !== 0,
    spinning: c.spin !== 0,
  });
  const rng = new G.Rng(1);
  const n = c.B * c.T * c.D;
  const batch = {
    x: new G.ort.Tensor('float32', rng.normals(n, new Float32Array(n)), [c.B, c.T, c.D]),
    target: new G.ort.Tensor('float32', rng.normals(n, new Float32Array(n)), [c.B, c.T, c.D]),
  };
  const times = [];
  let cpu0;
  for (let k = 0; k < c.warmup + c.steps; k++) {
    if (k === c.warmup) cpu0 = process.cpuUsage();
    const t0 = performance.now();
    await trainer.run(batch, 1e-4);
    if (k >= c.warmup) times.push(performance.now() - t0);
  }
  const cpu = process.cpuUsage(cpu0);
  const cpuMsPerStep = (cpu.user + cpu.system) / 1000 / c.steps;
  const maxRssMb = process.resourceUsage().maxRSS / 1024;
  process.stdout.write(`${JSON.stringify({ times, cpuMsPerStep, maxRssMb })}\n`);
}

function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function run(cmd, argv, env) {
  const r = spawnSync(cmd, argv, {
    env: { ...process.env, ...env },
    encoding: 'utf8',
    maxBuffer: 1 << 24,
  });
  if (r.status !== 0)
    throw new Error(`${cmd} ${argv.join(' ')} failed (${r.status}):\n${r.stderr}`);
  return JSON.parse(r.stdout.trim().split('\n').pop());
}

function parent(c) {
  const threadEnv = {
    OMP_NUM_THREADS: String(c.threads),
    OPENBLAS_NUM_THREADS: String(c.threads),
    MKL_NUM_THREADS: String(c.threads),
  };
  const flat = [
    '--B',
    c.B,
    '--T',
    c.T,
    '--D',
    c.D,
    '--H',
    c.H,
    '--threads',
    c.threads,
    '--steps',
    c.steps,
    '--warmup',
    c.warmup,
    '--arena',
    c.arena,
    '--spin',
    c.spin,
  ].map(String);
  // Forward FLOPs of the block: QKV+out projections 8BTD², scores and context 4BT²D, MLP 16BTD²;
  // backward ≈ 2× forward.
  const { B, T, D } = c;
  const gflop = (3 * (24 * B * T * D * D + 4 * B * T * T * D)) / 1e9;
  console.log(
    `transformer block B=${B} T=${T} D=${D} H=${c.H}, fwd+bwd+AdamW, float32, ${c.threads} threads, ~${gflop.toFixed(1)} GFLOP/step`,
  );
  const ours = [];
  const torch = [];
  const ratios = [];
  const rss = { ours: 0, torch: 0 };
  const cpu = { ours: [], torch: [] };
  for (let r = 0; r < c.rounds; r++) {
    // Alternate which goes first so slow drifts in machine load hit both alike.
    const order = r % 2 === 0 ? ['ours', 'torch'] : ['torch', 'ours'];
    const res = {};
    for (const who of order) {
      res[who] =
        who === 'ours'
          ? run(process.execPath, [fileURLToPath(import.meta.url), '--child', ...flat], threadEnv)
          : run('/usr/bin/python3', [join(here, 'block_torch.py'), ...flat], threadEnv);
      rss[who] = Math.max(rss[who], res[who].maxRssMb);
      cpu[who].push(res[who].cpuMsPerStep);
    }
    ours.push(...res.ours.times);
    torch.push(...res.torch.times);
    ratios.push(median(res.ours.times) / median(res.torch.times));
    console.log(
      `round ${r + 1} (load ${loadavg()[0].toFixed(1)}): ours ${median(res.ours.times).toFixed(0)} ms (cpu ${res.ours.cpuMsPerStep.toFixed(0)} ms), torch ${median(res.torch.times).toFixed(0)} ms (cpu ${res.torch.cpuMsPerStep.toFixed(0)} ms), ratio ${ratios.at(-1).toFixed(3)}`,
    );
  }
  const mo = median(ours);
  const mt = median(torch);
  console.log(
    `median step: ours ${mo.toFixed(0)} ms (${(gflop / (mo / 1000)).toFixed(1)} GFLOP/s), torch ${mt.toFixed(0)} ms (${(gflop / (mt / 1000)).toFixed(1)} GFLOP/s)`,
  );
  const [co, ct] = [median(cpu.ours), median(cpu.torch)];
  console.log(
    `CPU time per step: ours ${co.toFixed(0)} ms, torch ${ct.toFixed(0)} ms (ratio ${(co / ct).toFixed(3)})`,
  );
  console.log(
    `load average at end: ${loadavg()
      .map((l) => l.toFixed(1))
      .join(' ')} (other processes on this machine slow both sides)`,
  );
  console.log(
    `peak RSS: ours ${rss.ours.toFixed(0)} MB, torch ${rss.torch.toFixed(0)} MB (ratio ${(rss.ours / rss.torch).toFixed(2)})`,
  );
  console.log(`ratio ours/torch: ${median(ratios).toFixed(3)}`);
}
