// Benchmark: one self-conditioned RIN training step (2 forward passes, 1 backward, LAMB) of a CPU
// preset, @ns/rin on onnxruntime-node (step_ours.mjs) against the PyTorch RIN of tools/golden/rin
// (peer_torch.py, the network the golden fixtures come from), at 1 and 2 threads, in both
// thread-pool modes (spinning: ORT spinning on / OMP_WAIT_POLICY=ACTIVE; passive: off / PASSIVE),
// alternating warmed-up processes round by round (tools/bench/common/fair.mjs). Prints medians,
// CPU time per step, ratios (goal ≤ 1.0), peak RSS, the load at start and end, and last the GEMM
// peak with the fraction of it each side reached.
// Run from the root: pnpm bench:rin
//   (PRESET=mnist BATCH=64 THREADS=1,2 MODES=spinning,passive ROUNDS=5 STEPS=2 WARMUP=2 PYTHON=…
//    NICE=-20: as root, each child in a scheduler autogroup of its own at that nice value, the
//    nearest thing to an idle machine while other users keep it busy)
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { formatCount, forwardFlops, paramCount, preset } from '../../../packages/rin/dist/index.js';
import { compareInModes, parseModes, parseThreads } from '../common/fair.mjs';
import { requireTorch } from '../common/torch-peer.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const env = (k, d) => process.env[k] ?? String(d);
const PRESET = env('PRESET', 'mnist');
const BATCH = Number(env('BATCH', 64));
const [ROUNDS, STEPS, WARMUP] = [env('ROUNDS', 5), env('STEPS', 2), env('WARMUP', 2)].map(Number);

try {
  const python = requireTorch('bench:rin');
  const threads = parseThreads(env('THREADS', '1,2'));
  const modes = parseModes(env('MODES', 'spinning,passive'));
  const config = preset(PRESET);
  // @ns/rin's FLOP count (matrix products only, 2 per multiply-add): two forward passes and the
  // backward of one (≈ 2 forwards) = 4 forwards per example.
  const flops = 4 * forwardFlops(config).total * BATCH;
  console.log(
    `RIN training step (2 forward + 1 backward + LAMB), preset ${PRESET} (${formatCount(paramCount(config))} params), batch ${BATCH}; ${formatCount(flops)}FLOP/step (matmuls, 4 × forward, @ns/rin forwardFlops); ${ROUNDS} alternating rounds × ${STEPS} steps after ${WARMUP} warm-up steps`,
  );
  await compareInModes({
    threads,
    modes,
    rounds: ROUNDS,
    steps: STEPS,
    flopsPerStep: flops,
    autogroupNice: process.env.NICE,
    sides: (t, mode) => ({
      ours: {
        command: process.execPath,
        args: [join(here, 'step_ours.mjs'), PRESET, BATCH, t, mode.ortSpinning ? 1 : 0, WARMUP].map(
          String,
        ),
      },
      torch: {
        command: python,
        args: [join(here, 'peer_torch.py'), JSON.stringify(config), BATCH, t, WARMUP].map(String),
      },
    }),
  });
} catch (e) {
  console.error(`bench:rin: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
}
