// The @ns/rin side of bench.mjs (and of spinning.mjs): one self-conditioned RIN training step
// (2 forward passes, 1 backward, LAMB) on onnxruntime-node, served step by step
// (tools/bench/common/stepper.mjs).
//   node step_ours.mjs <preset> <batch> <threads> <spin 0|1> [warmup]
import { createTrainer, lamb, ort, Rng } from '../../../packages/graph/dist/index.js';
import { preset, rin, trainingModel } from '../../../packages/rin/dist/index.js';
import { serveSteps } from '../common/stepper.mjs';

const [name, batch, threads, spin, warmup = '2'] = process.argv.slice(2);
const config = preset(name);
const B = Number(batch);
const H = config.imageSize;
const C = config.channels;
const rng = new Rng(0);
const floats = (n, f) => Float32Array.from({ length: n }, f);
const img = [B, H, H, C];
const size = B * H * H * C;
const feed = {
  x: new ort.Tensor(
    'float32',
    floats(size, () => rng.normal()),
    img,
  ),
  gamma: new ort.Tensor(
    'float32',
    floats(B, () => rng.uniform()),
    [B],
  ),
  target: new ort.Tensor(
    'float32',
    floats(size, () => rng.normal()),
    img,
  ),
};
if (config.numClasses > 0) {
  feed.labels = new ort.Tensor(
    'int64',
    BigInt64Array.from({ length: B }, () => BigInt(Math.floor(rng.uniform() * config.numClasses))),
    [B],
  );
  feed.labelMask = new ort.Tensor(
    'float32',
    floats(B, () => 1),
    [B],
  );
}
if (config.selfCondition === 'latent')
  feed.selfCondKeep = new ort.Tensor(
    'float32',
    floats(B, () => (rng.uniform() < 0.9 ? 1 : 0)),
    [B],
  );

const trainer = await createTrainer(
  {
    model: trainingModel(config),
    params: rin(config).createParams({ seed: 0 }),
    optimizer: lamb(),
  },
  { threads: Number(threads), spinning: spin !== '0' },
);
await serveSteps(() => trainer.run(feed, 1e-3), { warmup: Number(warmup) });
await trainer.release();
process.exit(0);
