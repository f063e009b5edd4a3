// The @ns/rin side of bench.mjs (and of spinning.mjs): one RIN training step exactly as `ns train`
// runs it — the trainer's training graph (Algorithm 2: noising, the self-conditioning pass, the
// loss pass, backward, LAMB, EMA) on onnxruntime-node — served step by step
// (tools/bench/common/stepper.mjs). The same step's feeds are used every time.
//   node step_ours.mjs <preset> <batch> <threads> <spin 0|1> [warmup]
import { preset } from '../../../packages/rin/dist/index.js';
import { createStepSession } from '../../../packages/trainer/dist/index.js';
import { rinTrainingSpec, stepFeeds } from '../common/rin-step.mjs';
import { serveSteps } from '../common/stepper.mjs';

const [name, batch, threads, spin, warmup = '2'] = process.argv.slice(2);
const config = preset(name);
const session = await createStepSession(rinTrainingSpec(config), {
  threads: Number(threads),
  spinning: spin !== '0',
});
const feed = stepFeeds(config, session.dataInputs, { step: 1, batch: Number(batch) });
await serveSteps(() => session.run(feed, 1e-3), { warmup: Number(warmup) });
await session.release();
process.exit(0);
