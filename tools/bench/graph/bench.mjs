#!/usr/bin/env node
// Benchmark: one pre-LN transformer block, forward + backward + AdamW, float32 on CPU. Ours
// (@ns/graph training model on onnxruntime-node, block_ours.mjs) against PyTorch (Debian's
// python3-torch, block_torch.py) doing the same maths, at 1 and 2 threads, in both thread-pool
// modes (spinning: ORT spinning on / OMP_WAIT_POLICY=ACTIVE; passive: off / PASSIVE), alternating
// warmed-up processes round by round (tools/bench/common/fair.mjs). Prints medians, CPU time per
// step, the ratio per round and its median, peak RSS, the load at start and end, and last the
// GEMM peak with the fraction of it each side reached.
//
//   node tools/bench/graph/bench.mjs [--B 16 --T 128 --D 256 --H 4 --threads 1,2
//     --modes spinning,passive --rounds 5 --steps 2 --warmup 2 --arena 1 --nice -20]
//   The default block is small so that a run stays short on a shared machine; --B 64 --T 256 is
//   the block the bench timed before (90 GFLOP/step).
//   --nice -20: as root, each child in a scheduler autogroup of its own at that nice value, the
//   nearest thing to an idle machine while other users keep it busy.
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { compareInModes, parseModes, parseThreads } from '../common/fair.mjs';
import { requireTorch } from '../common/torch-peer.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, dflt) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : String(dflt);
};
const [B, T, D, H, rounds, steps, warmup, arena] = [
  ['B', 16],
  ['T', 128],
  ['D', 256],
  ['H', 4],
  ['rounds', 5],
  ['steps', 2],
  ['warmup', 2],
  ['arena', 1],
].map(([k, d]) => Number(opt(k, d)));

try {
  const python = requireTorch('bench:graph');
  const threads = parseThreads(opt('threads', '1,2'));
  const modes = parseModes(opt('modes', 'spinning,passive'));
  // Matrix products only (2 FLOPs per multiply-add), counted by hand: q/k/v/out projections
  // 8BTD², scores and context 4BT²D, MLP 16BTD²; backward ≈ 2× forward.
  const flops = 3 * (24 * B * T * D * D + 4 * B * T * T * D);
  console.log(
    `transformer block B=${B} T=${T} D=${D} H=${H}, fwd+bwd+AdamW, float32; ${(flops / 1e9).toFixed(1)} GFLOP/step (matmuls, 3 × forward, counted analytically); ${rounds} alternating rounds × ${steps} steps after ${warmup} warm-up steps`,
  );
  const shape = ['--B', B, '--T', T, '--D', D, '--H', H, '--warmup', warmup].map(String);
  await compareInModes({
    threads,
    modes,
    rounds,
    steps,
    flopsPerStep: flops,
    autogroupNice: args.includes('--nice') ? opt('nice') : undefined,
    sides: (t, mode) => ({
      ours: {
        command: process.execPath,
        args: [
          join(here, 'block_ours.mjs'),
          ...shape,
          ...['--threads', t, '--spin', mode.ortSpinning ? 1 : 0, '--arena', arena].map(String),
        ],
      },
      torch: {
        command: python,
        args: [join(here, 'block_torch.py'), ...shape, '--threads', String(t)],
      },
    }),
  });
} catch (e) {
  console.error(`bench:graph: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
}
