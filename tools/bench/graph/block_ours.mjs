// The @ns/graph side of bench.mjs: one pre-LN transformer block, forward + backward + AdamW,
// float32 on onnxruntime-node, served step by step (tools/bench/common/stepper.mjs).
//   node block_ours.mjs --B 16 --T 128 --D 256 --H 4 --threads 2 --spin 1 --arena 1 --warmup 2
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { serveSteps } from '../common/stepper.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const G = await import(join(here, '..', '..', '..', 'packages', 'graph', 'dist', 'index.js'));
const Trainer = await import(
  join(here, '..', '..', '..', 'packages', 'trainer', 'dist', 'index.js')
);
const args = process.argv.slice(2);
const opt = (name) => {
  const i = args.indexOf(`--${name}`);
  if (i < 0) throw new Error(`block_ours.mjs: --${name} is required`);
  return Number(args[i + 1]);
};
const [B, T, D, H] = ['B', 'T', 'D', 'H'].map(opt);

const model = {
  inputs: { x: { shape: [B, T, D] } },
  trainInputs: { target: { shape: [B, T, D] } },
  build(scope, i) {
    const y = G.nn.transformerBlock(scope.child('block'), i.x, {
      heads: H,
      mlpRatio: 4,
      activation: 'gelu',
    });
    return { outputs: {}, loss: i.target ? G.meanSquare(G.sub(y, i.target)) : undefined };
  },
};
const trainer = await Trainer.createStepSession(
  { model, params: new G.Params({ seed: 0 }), optimizer: G.adamw({ weightDecay: 0.01 }) },
  {
    threads: opt('threads'),
    optimization: 'all',
    memoryArena: opt('arena') !== 0,
    spinning: opt('spin') !== 0,
  },
);
const rng = new G.Rng(1);
const n = B * T * D;
const batch = {
  x: new G.ort.Tensor('float32', rng.normals(n, new Float32Array(n)), [B, T, D]),
  target: new G.ort.Tensor('float32', rng.normals(n, new Float32Array(n)), [B, T, D]),
};
await serveSteps(() => trainer.run(batch, 1e-4), { warmup: opt('warmup') });
process.exit(0);
