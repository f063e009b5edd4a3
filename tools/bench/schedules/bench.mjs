// Benchmark: vectorised γ(t) and logSNR of @ns/schedules against numpy over 10⁷ points, measured
// alternately in one run. Prints medians and the ratio ours/numpy per case (goal: ≤ 1).
// Ends with the load and the machine's GEMM peak (tools/bench/common/peak.mjs) for scale.
// Run from the root: pnpm bench:schedules   (N=… to change the size, ROUNDS=… the repetitions)
import { execFileSync } from 'node:child_process';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSchedule } from '../../../packages/schedules/dist/index.js';
import { numpyPython } from '../common/numpy-peer.mjs';
import { loadLine, measureGemmPeak, printPeakLines } from '../common/peak.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const N = Number(process.env.N ?? 1e7);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const python = numpyPython(['numpy']);

// Same uniform draws are not needed for timing; same size and range are.
const t = new Float64Array(N);
let seed = 1;
for (let i = 0; i < N; i++) {
  seed = (seed * 16807) % 2147483647;
  t[i] = seed / 2147483647;
}
const out = new Float64Array(N);

const cases = {
  'gamma simple_linear': (
    (s) => () =>
      s.gammaArray(t, out)
  )(parseSchedule('simple_linear')),
  'gamma sigmoid@0,3,0.5': (
    (s) => () =>
      s.gammaArray(t, out)
  )(parseSchedule('sigmoid@0,3,0.5')),
  'gamma cosine@0.2,1,2': (
    (s) => () =>
      s.gammaArray(t, out)
  )(parseSchedule('cosine@0.2,1,2')),
  'logSnr sigmoid@0,3,0.5+scale=0.5': (
    (s) => () =>
      s.logSnrArray(t, out)
  )(parseSchedule('sigmoid@0,3,0.5+scale=0.5')),
};

const timeOurs = () => {
  const result = {};
  for (const [name, fn] of Object.entries(cases)) {
    fn();
    const start = process.hrtime.bigint();
    fn();
    result[name] = Number(process.hrtime.bigint() - start) / 1e9;
  }
  return result;
};
const timeNumpy = () =>
  JSON.parse(execFileSync(python, [join(here, 'peer_numpy.py'), String(N)], { encoding: 'utf8' }));

const loadAtStart = loadLine();
const samples = Object.fromEntries(Object.keys(cases).map((k) => [k, { ours: [], numpy: [] }]));
for (let round = 0; round < ROUNDS; round++) {
  const [first, second] = round % 2 === 0 ? [timeOurs, timeNumpy] : [timeNumpy, timeOurs];
  const a = first();
  const b = second();
  const ours = first === timeOurs ? a : b;
  const numpy = first === timeOurs ? b : a;
  for (const k of Object.keys(cases)) {
    samples[k].ours.push(ours[k]);
    samples[k].numpy.push(numpy[k]);
  }
}

const median = (xs) => {
  const s = [...xs].sort((x, y) => x - y);
  return s[Math.floor(s.length / 2)];
};
console.log(
  `@ns/schedules vs numpy, N = ${N.toExponential(0)} float64 points, ${ROUNDS} alternating rounds`,
);
console.log(
  `${'case'.padEnd(36)} ${'ours (ms)'.padStart(10)} ${'numpy (ms)'.padStart(11)} ${'ratio'.padStart(7)}`,
);
const ratios = [];
for (const [k, { ours, numpy }] of Object.entries(samples)) {
  const ratio = median(ours) / median(numpy);
  ratios.push(ratio);
  console.log(
    `${k.padEnd(36)} ${(median(ours) * 1e3).toFixed(1).padStart(10)} ${(median(numpy) * 1e3).toFixed(1).padStart(11)} ${ratio.toFixed(2).padStart(7)}`,
  );
}
console.log(`ratio ours/numpy (median over cases): ${median(ratios).toFixed(2)}`);
console.log(loadAtStart.replace('load average', 'load average at start:'));
console.log(loadLine().replace('load average', 'load average at end:'));
// Both sides run on one thread. γ(t) is elementwise (a few transcendentals per point), so the
// GEMM peak is shown for scale only: no matrix-product fraction of it applies.
printPeakLines(measureGemmPeak({ threads: 1 }), []);
