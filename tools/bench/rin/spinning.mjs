// The measurement behind chooseSpinning (packages/graph/src/run.ts): the RIN training step
// (step_ours.mjs: 2 forward + 1 backward + LAMB, batch 64) with ORT intra-op spinning on vs off in
//   alone   one process with every core (as `ns train`),
//   jobs    two processes at once sharing the cores, 1 thread each (as `ns sweep --jobs 2` on 2 cores)
//           and, oversubscribed, all cores each (as `ns sweep --jobs 2 --threads 4`),
//   beside  one process with every core while a CPU-bound process (a busy loop) runs,
//   and with NICE=-20 (root) also `alone` in its own scheduler autogroup at nice −20, which on a
//   machine other users keep busy comes closest to having the cores to itself (with autogroups,
//   plain `nice` only ranks a process against its own session).
// Spinning on and off alternate round by round (who goes first flips); the side not being timed
// is stopped (SIGSTOP), so it takes no core. Prints median step and CPU time per step, the ratio
// on/off per scenario (median of rounds, and its range), the load at start and end, and the GEMM
// peak last.
//   node tools/bench/rin/spinning.mjs   (PRESETS=mnist,tiny BATCH=64 ROUNDS=4 STEPS=3 NICE=-20
//     SCENARIOS=alone-nice,alone,jobs-1,jobs-all,beside)
import { spawn } from 'node:child_process';
import { availableParallelism, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadLine, measureGemmPeak, printPeakLines } from '../common/peak.mjs';
import { median, startStepper } from '../common/stepper.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const env = (k, d) => process.env[k] ?? String(d);
const PRESETS = env('PRESETS', 'mnist,tiny').split(',');
const BATCH = Number(env('BATCH', 64));
const ROUNDS = Number(env('ROUNDS', 4));
const STEPS = Number(env('STEPS', 3));
const NICE = process.env.NICE;
const cores = availableParallelism();

const start = (preset, threads, spin, autogroupNice) =>
  startStepper({
    label: `${preset} ${threads}t spin ${spin ? 'on' : 'off'}`,
    command: process.execPath,
    args: [join(here, 'step_ours.mjs'), preset, BATCH, threads, spin ? 1 : 0, 2].map(String),
    autogroupNice,
  });

/** Times `group` (steppers run together); the last step of each is dropped, as one may run alone. */
async function together(group) {
  const runs = await Promise.all(group.map((s) => s.steps(STEPS + 1)));
  return runs.flatMap((r) => r.slice(0, STEPS));
}

/** Rounds of on vs off; `turn(spin)` returns step records. */
async function compare(turn) {
  const got = { on: [], off: [] };
  const ratios = [];
  for (let r = 0; r < ROUNDS; r++) {
    const order = r % 2 === 0 ? ['on', 'off'] : ['off', 'on'];
    const round = {};
    for (const k of order) round[k] = await turn(k === 'on');
    for (const k of order) got[k].push(...round[k]);
    ratios.push(median(round.on.map((x) => x.seconds)) / median(round.off.map((x) => x.seconds)));
  }
  const med = (xs, f) => median(xs.map((x) => x[f]));
  return {
    on: { seconds: med(got.on, 'seconds'), cpuSeconds: med(got.on, 'cpuSeconds') },
    off: { seconds: med(got.off, 'seconds'), cpuSeconds: med(got.off, 'cpuSeconds') },
    ratio: median(ratios),
    range: [Math.min(...ratios), Math.max(...ratios)],
    load: loadavg()[0],
  };
}

function busyLoop() {
  const hog = spawn(process.execPath, ['-e', 'for (;;) {}'], { stdio: 'ignore' });
  return () => hog.kill('SIGKILL');
}

const rows = [];
const peakWorkloads = [];
console.log(
  `RIN training step (2 forward + 1 backward + LAMB), batch ${BATCH}, ORT intra-op spinning on vs off, ${ROUNDS} alternating rounds × ${STEPS} steps, ${cores} cores`,
);
console.log(loadLine().replace('load average', 'load average at start:'));
const live = [];
/** Children of one preset, started on first use: `pair(name)` → { on, off }. */
function pairs(preset) {
  const made = new Map();
  return async (name, threads, autogroupNice) => {
    if (!made.has(name)) {
      const p = {
        on: await start(preset, threads, true, autogroupNice),
        off: await start(preset, threads, false, autogroupNice),
      };
      live.push(p.on, p.off);
      made.set(name, p);
    }
    return made.get(name);
  };
}
const side = (spin) => (spin ? 'on' : 'off');
const SCENARIOS = [
  {
    id: 'alone-nice',
    label: `alone (autogroup nice ${NICE})`,
    threads: cores,
    jobs: 1,
    skip: !NICE,
    turn: async (pair) => {
      const p = await pair('nice', cores, NICE);
      return (spin) => p[side(spin)].steps(STEPS);
    },
  },
  {
    id: 'alone',
    label: 'alone',
    threads: cores,
    jobs: 1,
    turn: async (pair) => {
      const p = await pair('all', cores);
      return (spin) => p[side(spin)].steps(STEPS);
    },
  },
  {
    id: 'jobs-1',
    label: 'two jobs',
    threads: 1,
    jobs: 2,
    turn: async (pair) => {
      const [a, b] = [await pair('one', 1), await pair('one2', 1)];
      return (spin) => together([a[side(spin)], b[side(spin)]]);
    },
  },
  {
    id: 'jobs-all',
    label: 'two jobs',
    threads: cores,
    jobs: 2,
    turn: async (pair) => {
      const [a, b] = [await pair('all', cores), await pair('all2', cores)];
      return (spin) => together([a[side(spin)], b[side(spin)]]);
    },
  },
  {
    id: 'beside',
    label: 'beside a busy loop',
    threads: cores,
    jobs: 1,
    hog: true,
    turn: async (pair) => {
      const p = await pair('all', cores);
      return (spin) => p[side(spin)].steps(STEPS);
    },
  },
];
const wanted = process.env.SCENARIOS?.split(',');
try {
  for (const preset of PRESETS) {
    const pair = pairs(preset);
    for (const sc of SCENARIOS) {
      if (sc.skip || (wanted && !wanted.includes(sc.id))) continue;
      const turn = await sc.turn(pair);
      const stopHog = sc.hog ? busyLoop() : () => {};
      try {
        const r = await compare(turn);
        rows.push({ preset, scenario: sc.id, threads: sc.threads, jobs: sc.jobs, ...r });
        const label = `${preset} ${sc.label}, ${sc.jobs} × ${sc.threads} thread${sc.threads > 1 ? 's' : ''}`;
        console.log(
          `${label.padEnd(44)} on ${(1000 * r.on.seconds).toFixed(1)} ms (cpu ${(1000 * r.on.cpuSeconds).toFixed(1)}), off ${(1000 * r.off.seconds).toFixed(1)} ms (cpu ${(1000 * r.off.cpuSeconds).toFixed(1)}), on/off ${r.ratio.toFixed(3)} (${r.range.map((x) => x.toFixed(2)).join('–')}), load ${r.load.toFixed(1)}`,
        );
        if (sc.id.startsWith('alone')) {
          const flops = 4 * (await forwardFlopsOf(preset)) * BATCH;
          for (const k of ['on', 'off'])
            peakWorkloads.push({
              label: `${preset} ${sc.label}, spinning ${k}`,
              gflops: flops / r[k].seconds / 1e9,
            });
        }
      } finally {
        stopHog();
      }
    }
    for (const s of live.splice(0)) await s.quit();
  }
} catch (e) {
  for (const s of live) s.kill();
  console.error(`spinning.mjs: ${e instanceof Error ? e.message : e}`);
  process.exit(1);
}
console.log(loadLine().replace('load average', 'load average at end:'));
console.log(`rows: ${JSON.stringify(rows)}`);
// The peak runs at normal priority; with NICE, the autogrouped rows are compared with a second one.
printPeakLines(
  measureGemmPeak({ threads: cores }),
  peakWorkloads.filter((w) => !w.label.includes('autogroup')),
);
if (NICE)
  printPeakLines(
    measureGemmPeak({ threads: cores, autogroupNice: NICE }),
    peakWorkloads.filter((w) => w.label.includes('autogroup')),
  );

async function forwardFlopsOf(preset) {
  const rin = await import('../../../packages/rin/dist/index.js');
  return rin.forwardFlops(rin.preset(preset)).total;
}
