// Device check for a GPU host: asks @ns/graph for a CUDA session and 20 CUDA training steps.
// Prints either the provider_unavailable error (no silent CPU fallback) or, when the CUDA provider
// loads, the final losses and the max weight difference between the CUDA and CPU runs.
//   pnpm --filter @ns/graph build && node tools/bench/graph/cuda-check.mjs
import * as G from '../../../packages/graph/dist/index.js';

const spec = () => ({
  model: {
    inputs: { x: { shape: [16, 8] } },
    trainInputs: { y: { shape: [16, 2] } },
    build(s, i) {
      const pred = G.nn.mlp(s.child('mlp'), i.x, { hidden: 32, out: 2, activation: 'gelu' });
      return { outputs: { pred }, loss: i.y ? G.meanSquare(G.sub(pred, i.y)) : undefined };
    },
  },
  params: new G.Params({ seed: 3 }),
  optimizer: G.lamb(),
  clipNorm: 1,
});
const rng = new G.Rng(1);
const batch = {
  x: new G.ort.Tensor('float32', rng.normals(128, new Float32Array(128)), [16, 8]),
  y: new G.ort.Tensor('float32', rng.normals(32, new Float32Array(32)), [16, 2]),
};
async function steps(device) {
  const t = await G.createTrainer(spec(), { device });
  const losses = [];
  for (let k = 0; k < 20; k++) losses.push((await t.run(batch, 1e-2)).loss);
  return { losses, w: Array.from(t.tensor('mlp/dense1/kernel').data) };
}
const cpu = await steps('cpu');
try {
  const cuda = await steps('cuda');
  const d = Math.max(...cuda.w.map((v, i) => Math.abs(v - cpu.w[i])));
  console.log(
    JSON.stringify({
      cuda: 'ran',
      lossCpu: cpu.losses.at(-1),
      lossCuda: cuda.losses.at(-1),
      maxWeightDiffAfter20Steps: d,
    }),
  );
} catch (e) {
  console.log(
    JSON.stringify({
      cuda: 'error',
      isGraphError: G.isGraphError(e),
      code: e.code,
      message: String(e.message),
    }),
  );
}
