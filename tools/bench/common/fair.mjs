// A comparison against a peer that is fair in both thread-pool modes: for every thread count and
// mode, one warmed-up child per side (stepper.mjs), alternating rounds (who goes first flips each
// round), the idle side stopped while the other is timed, medians, the load at start and end,
// and last the GEMM-peak lines with the fraction of peak each side reached.
import { loadavg } from 'node:os';
import { loadLine, measureGemmPeak, printPeakLines } from './peak.mjs';
import { median, startStepper } from './stepper.mjs';

/**
 * Thread-pool modes. ORT's intra-op pool spins by default (session.intra_op.allow_spinning = 1);
 * libgomp spins forever with OMP_WAIT_POLICY=ACTIVE, sleeps at once with PASSIVE, and when unset
 * spins briefly (GOMP_SPINCOUNT) before sleeping. OpenBLAS's own pool spins either way.
 */
export const MODES = {
  spinning: {
    name: 'spinning',
    ortSpinning: true,
    ompWaitPolicy: 'ACTIVE',
    what: 'ORT intra-op spinning on; torch OMP_WAIT_POLICY=ACTIVE',
  },
  passive: {
    name: 'passive',
    ortSpinning: false,
    ompWaitPolicy: 'PASSIVE',
    what: 'ORT intra-op spinning off; torch OMP_WAIT_POLICY=PASSIVE',
  },
  default: {
    name: 'default',
    ortSpinning: true,
    ompWaitPolicy: undefined,
    what: 'ORT spinning on; OMP_WAIT_POLICY unset (libgomp spins briefly, then sleeps)',
  },
};

/** `spinning,passive` → modes; one line naming the bad entry otherwise. */
export function parseModes(list) {
  return list.split(',').map((name) => {
    const m = MODES[name.trim()];
    if (!m)
      throw new Error(`modes: expected some of ${Object.keys(MODES).join(', ')}, got '${name}'`);
    return m;
  });
}

/** `1,2` → [1, 2]. */
export function parseThreads(list) {
  return String(list)
    .split(',')
    .map((s) => {
      const t = Number(s);
      if (!Number.isInteger(t) || t < 1)
        throw new Error(`threads: expected integers ≥ 1 separated by commas, got '${list}'`);
      return t;
    });
}

/** The same thread count for every pool a peer may use (OpenMP, OpenBLAS, MKL) and the mode. */
export function threadEnv(threads, mode) {
  return {
    OMP_NUM_THREADS: threads,
    OPENBLAS_NUM_THREADS: threads,
    MKL_NUM_THREADS: threads,
    OMP_WAIT_POLICY: mode.ompWaitPolicy,
  };
}

const ms = (s) => (1000 * s).toFixed(1);
const pad = (s, n) => String(s).padStart(n);

/**
 * Runs the comparison and prints everything after the bench's own header, ending with the peak
 * lines. `sides(threads, mode)` → { ours: {command, args, env}, torch: {command, args, env} };
 * `threadEnv(threads, mode)` is added to both. `flopsPerStep` gives GFLOP/s and % of peak;
 * `autogroupNice` is passed to startStepper (NICE=-20 in the benches).
 */
export async function compareInModes({
  threads,
  modes,
  rounds,
  steps,
  sides,
  flopsPerStep,
  autogroupNice,
}) {
  console.log(loadLine().replace('load average', 'load average at start:'));
  if (autogroupNice !== undefined)
    console.log(`both sides run in scheduler autogroups of their own at nice ${autogroupNice}`);
  for (const m of modes) console.log(`mode ${m.name}: ${m.what}`);
  const configs = [];
  try {
    for (const t of threads) {
      for (const mode of modes) {
        const s = sides(t, mode);
        const env = threadEnv(t, mode);
        const c = { threads: t, mode, ours: [], torch: [], ratios: [] };
        const start = (label, side) =>
          startStepper({ label, ...side, env: { ...env, ...side.env }, autogroupNice });
        c.oursStepper = await start('ours', s.ours);
        c.torchStepper = await start('torch', s.torch);
        configs.push(c);
      }
    }
    for (let r = 0; r < rounds; r++) {
      const cells = [];
      for (const c of configs) {
        const order = r % 2 === 0 ? ['ours', 'torch'] : ['torch', 'ours'];
        const got = {};
        for (const who of order) got[who] = await c[`${who}Stepper`].steps(steps);
        c.ours.push(...got.ours);
        c.torch.push(...got.torch);
        const ratio =
          median(got.ours.map((x) => x.seconds)) / median(got.torch.map((x) => x.seconds));
        c.ratios.push(ratio);
        cells.push(`${c.threads}t ${c.mode.name} ${ratio.toFixed(2)}`);
      }
      console.log(
        `round ${r + 1} (load ${loadavg()[0].toFixed(1)}) ours/torch: ${cells.join(', ')}`,
      );
    }
    for (const c of configs) {
      c.oursRss = (await c.oursStepper.quit()).maxRssMb;
      c.torchRss = (await c.torchStepper.quit()).maxRssMb;
    }
  } catch (e) {
    for (const c of configs) for (const s of [c.oursStepper, c.torchStepper]) s?.kill();
    throw e;
  }

  console.log(
    `${'threads'.padEnd(8)}${'mode'.padEnd(10)}${pad('ours ms', 10)}${pad('(cpu ms)', 10)}${pad('torch ms', 10)}${pad('(cpu ms)', 10)}${pad('ratio', 8)}  range over rounds   peak RSS ours/torch`,
  );
  const summary = [];
  const workloads = new Map(threads.map((t) => [t, []]));
  for (const c of configs) {
    const sec = (xs) => median(xs.map((x) => x.seconds));
    const cpu = (xs) => median(xs.map((x) => x.cpuSeconds));
    const ratio = median(c.ratios);
    const range = `${Math.min(...c.ratios).toFixed(2)}–${Math.max(...c.ratios).toFixed(2)}`;
    const cells = [
      String(c.threads).padEnd(8) + c.mode.name.padEnd(10),
      pad(ms(sec(c.ours)), 10),
      pad(`(${ms(cpu(c.ours))})`, 10),
      pad(ms(sec(c.torch)), 10),
      pad(`(${ms(cpu(c.torch))})`, 10),
      pad(ratio.toFixed(3), 8),
      `  ${range.padEnd(20)}`,
      `${c.oursRss.toFixed(0)} / ${c.torchRss.toFixed(0)} MB`,
    ];
    console.log(cells.join(''));
    summary.push(`${c.threads}t ${c.mode.name} ${ratio.toFixed(3)}`);
    for (const who of ['ours', 'torch'])
      workloads.get(c.threads).push({
        label: `${who} (${c.threads} thread${c.threads > 1 ? 's' : ''}, ${c.mode.name})`,
        gflops: flopsPerStep / sec(c[who]) / 1e9,
      });
  }
  console.log(loadLine().replace('load average', 'load average at end:'));
  console.log(`ratio ours/torch (median of rounds): ${summary.join(', ')}`);
  // Measured after every child has quit, so nothing of the bench competes with it.
  for (const t of threads)
    printPeakLines(measureGemmPeak({ threads: t, autogroupNice }), workloads.get(t));
  return configs;
}
