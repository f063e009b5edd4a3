// Runs the same updates of a RIN two ways on the CPU and prints both as JSON, for
// test/loop-rin.test.ts: K = 1 (Trainer over the one-step graph, one run per step) and the
// multi-step graph (MultiStepTrainer, one run per chunk of steps, the trainer's per-step draws
// stacked). Prints {plain, loop}, each {losses, gradNorms, state: {name: sha256}}.
//   node src/loop-equal.mjs '<rin config JSON>' <batch> <chunks, e.g. 1,4,3>
import { createHash } from 'node:crypto';
import { createStepSession, DEFAULT_TRAIN_CONFIG, learningRate, stackSteps } from '@ns/trainer';
import { rinTrainingSpec, stepFeeds } from '../../common/rin-step.mjs';

const [configJson, batchArg, chunksArg] = process.argv.slice(2);
const rin = JSON.parse(configJson);
const batch = Number(batchArg);
const chunks = chunksArg.split(',').map(Number);
const total = chunks.reduce((a, k) => a + k, 0);
const c = DEFAULT_TRAIN_CONFIG;
const lrAt = (step) =>
  learningRate({ base: c.lr, warmupSteps: 2, totalSteps: total, decay: c.lrDecay }, step);

const digest = (trainer) => {
  const { params, state } = trainer.snapshot();
  const out = {};
  const add = (key, v) => {
    out[key] = createHash('sha256')
      .update(new Uint8Array(v.buffer, v.byteOffset, v.byteLength))
      .digest('hex');
  };
  for (const [n, v] of params) add(n, v);
  for (const [n, v] of state.slots) add(n, v);
  for (const [n, v] of state.ema) add(`${n}.ema`, v);
  return out;
};

const plain = await createStepSession(rinTrainingSpec(rin), { threads: 1 });
const plainRun = { losses: [], gradNorms: [] };
for (let step = 1; step <= total; step++) {
  const r = await plain.run(stepFeeds(rin, plain.dataInputs, { step, batch }), lrAt(step));
  plainRun.losses.push(r.loss);
  plainRun.gradNorms.push(Number(r.outputs.grad_norm.data[0]));
}
plainRun.state = digest(plain);
await plain.release();

const multi = await createStepSession(rinTrainingSpec(rin), { threads: 1, stepsPerRun: 'K' });
const loopRun = { losses: [], gradNorms: [] };
for (const K of chunks) {
  const steps = Array.from({ length: K }, (_, i) => multi.step + 1 + i);
  const r = await multi.runSteps(
    stackSteps(steps.map((step) => stepFeeds(rin, multi.dataInputs, { step, batch }))),
    steps.map(lrAt),
  );
  loopRun.losses.push(...r.losses);
  loopRun.gradNorms.push(...Array.from(r.outputs.grad_norm.data, Number));
}
loopRun.state = digest(multi);
await multi.release();
process.stdout.write(
  `${JSON.stringify({ plain: plainRun, loop: loopRun, inputs: multi.dataInputs })}\n`,
);
