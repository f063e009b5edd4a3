// Benchmark: where a sampling step's time goes. The shipped `mnist` RIN (apps/cli/pretrained/mnist,
// a run folder whose eval_model.onnx runs on its EMA checkpoint, exactly as `ns sample` does)
// samples BATCH images in STEPS steps with @ns/sampler; every session.run is timed, so each step
// splits into time inside ONNX Runtime and time outside it (the sampler's own JS: noise,
// transitions, conversions). The peer is the network alone: the same session.run calls back to
// back with constant feeds, which no sampler can beat. With BASELINE=<path to another build's
// dist/index.js> (e.g. the sampler as it was before a change) that build runs too, alternating
// round by round, and the bench checks both give the same bits.
//   node tools/bench/sampler/bench.mjs     (BATCH=64 STEPS=100 ROUNDS=5 SAMPLER=ddpm THREADS=… SPINNING=0 BASELINE=…)
// The last lines: `outside the network: <median %> of the step` and the GEMM-peak lines.
import { pathToFileURL } from 'node:url';
import { ort } from '../../../packages/graph/dist/index.js';
import { forwardFlops } from '../../../packages/rin/dist/index.js';
import * as current from '../../../packages/sampler/dist/index.js';
import { openRun } from '../../../packages/trainer/dist/index.js';
import { loadLine, measureGemmPeak, printPeakLines } from '../common/peak.mjs';

const BATCH = Number(process.env.BATCH ?? 64);
const STEPS = Number(process.env.STEPS ?? 100);
const ROUNDS = Number(process.env.ROUNDS ?? 5);
const SAMPLER = process.env.SAMPLER ?? 'ddpm';
const THREADS = process.env.THREADS === undefined ? undefined : Number(process.env.THREADS);
// ORT's default (spinning idle threads) unless SPINNING=0.
const SPINNING = process.env.SPINNING !== '0';
const BASELINE = process.env.BASELINE;

const root = new URL('../../../', import.meta.url);
// The shipped weights are a run folder: its eval_model.onnx with the EMA checkpoint bound to it,
// exactly what `ns sample` runs.
const pretrained = await openRun(new URL('apps/cli/pretrained/mnist/', root).pathname);
const rin = pretrained.config.model.rin;
const { session } = await pretrained.openEvalSession({
  spinning: SPINNING,
  ...(THREADS === undefined ? {} : { threads: THREADS }),
});

const shape = { batch: BATCH, height: rin.imageSize, width: rin.imageSize, channels: rin.channels };
const latentShape = [rin.latents, rin.latentDim];

/**
 * The session with the native part of every run timed. onnxruntime-node's run is a setImmediate
 * that calls the synchronous native run, so JavaScript queued before it (e.g. noise drawn after
 * starting the call) runs *before* the network, not beside it. An immediate queued just before
 * the call marks the network's start; the continuation after the await marks its end.
 */
function timedSession() {
  const timed = {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    inside: 0,
    async run(feeds) {
      let start = 0;
      setImmediate(() => {
        start = performance.now();
      });
      const out = await session.run(feeds);
      timed.inside += performance.now() - start;
      return out;
    },
  };
  return timed;
}

/**
 * A network that costs nothing: prediction and latents of the right sizes, made once. Sampling
 * with it times the sampler's own JavaScript alone.
 */
function nullSession() {
  const size = BATCH * rin.imageSize * rin.imageSize * rin.channels;
  const prediction = { data: new Float32Array(size).fill(0.01) };
  const latents = { data: new Float32Array(BATCH * rin.latents * rin.latentDim) };
  return {
    inputNames: session.inputNames,
    outputNames: session.outputNames,
    inside: 0,
    run: async () => ({ prediction, latents }),
  };
}

/** One full sampling run of a sampler build: per-step total, inside and outside times (ms). */
async function sampleRound(lib, network = timedSession) {
  const timed = network();
  const totals = [];
  const insides = [];
  let last = performance.now();
  let insideBefore = 0;
  const cpuBefore = process.cpuUsage();
  const result = await lib.sample({
    denoiser: lib.onnxDenoiser(timed, { shape, latentShape }),
    shape,
    steps: STEPS,
    sampler: SAMPLER,
    schedule: 'cosine',
    predict: rin.predict,
    inputScale: pretrained.config.inputScale,
    normalize: false, // as `ns sample`: RIN normalises its input itself
    numClasses: rin.numClasses,
    latentSize: rin.latents * rin.latentDim,
    seed: 0,
    onStep: () => {
      const now = performance.now();
      totals.push(now - last);
      insides.push(timed.inside - insideBefore);
      insideBefore = timed.inside;
      last = now;
    },
  });
  const cpu = process.cpuUsage(cpuBefore);
  // CPU time per step: the sampler's JS when the network is the null one (one thread, so less
  // sensitive to the machine's load than wall time).
  return { totals, insides, x0: result.x0, cpu: (cpu.user + cpu.system) / 1000 / STEPS };
}

/** The peer: the network alone, STEPS session.run calls with constant, prebuilt feeds. */
async function networkRound() {
  const size = BATCH * rin.imageSize * rin.imageSize * rin.channels;
  const feeds = {
    x: new ort.Tensor('float32', new Float32Array(size).fill(0.1), [
      BATCH,
      rin.imageSize,
      rin.imageSize,
      rin.channels,
    ]),
    gamma: new ort.Tensor('float32', new Float32Array(BATCH).fill(0.5), [BATCH]),
    latentsPrev: new ort.Tensor('float32', new Float32Array(BATCH * rin.latents * rin.latentDim), [
      BATCH,
      ...latentShape,
    ]),
  };
  if (session.inputNames.includes('labels')) {
    feeds.labels = new ort.Tensor('int64', new BigInt64Array(BATCH), [BATCH]);
    feeds.labelMask = new ort.Tensor('float32', new Float32Array(BATCH).fill(1), [BATCH]);
  }
  const totals = [];
  for (let i = 0; i < STEPS; i++) {
    const start = performance.now();
    await session.run(feeds);
    totals.push(performance.now() - start);
  }
  return { totals, insides: totals };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

const configs = [{ name: 'sampler (this build)', run: () => sampleRound(current) }];
const baseline = BASELINE ? await import(pathToFileURL(BASELINE).href) : undefined;
if (baseline) configs.push({ name: 'sampler (BASELINE)', run: () => sampleRound(baseline) });
configs.push({ name: 'network alone (peer)', run: networkRound });
configs.push({ name: 'JS alone (this build)', run: () => sampleRound(current, nullSession) });
if (baseline)
  configs.push({ name: 'JS alone (BASELINE)', run: () => sampleRound(baseline, nullSession) });

console.log(loadLine());
for (const c of configs) await c.run(); // warm-up: ORT's arena, JIT
const rounds = new Map(configs.map((c) => [c.name, []]));
const outputs = new Map();
for (let r = 0; r < ROUNDS; r++) {
  const order = r % 2 === 0 ? configs : [...configs].reverse();
  for (const c of order) {
    const round = await c.run();
    rounds.get(c.name).push(round);
    if (round.x0 && c.name.startsWith('sampler')) outputs.set(c.name, round.x0);
  }
}
await session.release();

console.log(
  `${SAMPLER}, ${STEPS} steps, batch ${BATCH}, mnist RIN (shipped weights), ORT threads ${THREADS ?? 'default (all cores)'}, spinning ${SPINNING ? 'on' : 'off'}, ${ROUNDS} alternating rounds after a warm-up`,
);
console.log('per step, median over rounds of the per-round median (ms):');
const summary = new Map();
console.log(
  '(JS alone: the same sampler with a network that returns at once; its "step" is pure sampler overhead)',
);
for (const [name, rs] of rounds) {
  const total = median(rs.map((r) => median(r.totals)));
  const inside = median(rs.map((r) => median(r.insides)));
  const outside = median(rs.map((r) => median(r.totals.map((t, i) => t - r.insides[i]))));
  summary.set(name, { total, inside, outside });
  const cpu = name.startsWith('JS alone') ? `  CPU ${median(rs.map((r) => r.cpu)).toFixed(2)}` : '';
  console.log(
    `${name.padEnd(22)} step ${total.toFixed(2).padStart(7)}  inside session.run ${inside.toFixed(2).padStart(7)}  outside ${outside.toFixed(2).padStart(6)} (${((100 * outside) / total).toFixed(1)} %)${cpu}`,
  );
}
const ours = summary.get('sampler (this build)');
const peer = summary.get('network alone (peer)');
console.log(`ratio step / network alone: ${(ours.total / peer.total).toFixed(3)}`);
console.log(
  `step − network alone: ${(ours.total - peer.total).toFixed(2)} ms = ${((100 * (ours.total - peer.total)) / ours.total).toFixed(1)} % of the step`,
);
if (BASELINE) {
  const js = (n) => median(rounds.get(n).map((r) => r.cpu));
  console.log(
    `ratio JS alone CPU per step this build / BASELINE: ${(js('JS alone (this build)') / js('JS alone (BASELINE)')).toFixed(3)}`,
  );
  const base = summary.get('sampler (BASELINE)');
  console.log(`ratio step this build / BASELINE: ${(ours.total / base.total).toFixed(3)}`);
  const a = outputs.get('sampler (this build)');
  const b = outputs.get('sampler (BASELINE)');
  const same = a.length === b.length && a.every((v, i) => Object.is(v, b[i]));
  console.log(`outputs of this build and BASELINE bit-identical (seed 0): ${same ? 'yes' : 'NO'}`);
}
console.log(loadLine());
console.log(`outside the network: ${((100 * ours.outside) / ours.total).toFixed(1)} % of the step`);
const flops = forwardFlops(rin).total * BATCH;
printPeakLines(measureGemmPeak({ threads: THREADS ?? 2 }), [
  { label: 'sampling step (forward FLOPs / step time)', gflops: flops / ours.total / 1e6 },
  { label: 'network alone', gflops: flops / peer.total / 1e6 },
]);
