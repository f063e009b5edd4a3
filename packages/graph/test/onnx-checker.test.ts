/**
 * Every kind of model we emit is validated by onnx's Python checker in
 * tools/golden/graph/check_onnx.sh, which writes fixtures/onnx-checker.json. Here we rebuild the
 * same models, and when their bytes (sha256) match the committed run we assert its verdicts;
 * when they differ, the committed result is stale and the test says so and skips.
 * With NS_GRAPH_EMIT_DIR set, the models are written there (what check_onnx.sh does).
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as G from '../src/index';

function models(): Record<string, Uint8Array> {
  const out: Record<string, Uint8Array> = {};
  const mlp: G.ModelDefinition = {
    inputs: { x: { shape: ['batch', 5] } },
    trainInputs: { y: { shape: ['batch', 3] } },
    build(s, i) {
      const pred = G.nn.mlp(s.child('mlp'), i.x!, { hidden: 8, out: 3, activation: 'silu' });
      return { outputs: { pred }, loss: i.y ? G.meanSquare(G.sub(pred, i.y)) : undefined };
    },
  };
  const block: G.ModelDefinition = {
    inputs: {
      img: { shape: ['batch', 8, 8, 3] },
      t: { shape: ['batch'] },
      label: { shape: ['batch'], dtype: 'int64' },
    },
    trainInputs: {
      target: { shape: ['batch', 8, 8, 3] },
      keep: { shape: ['batch', 4, 16], dtype: 'bool' },
    },
    build(s, i, mode) {
      let h = G.nn.linear(s.child('embed'), G.patchify(i.img!, 4), 16);
      const freqs = s.graph.constant([1, 10, 100, 1000], 'float32', [1, 4]);
      const ang = G.mul(G.reshape(i.t!, ['batch', 1]), freqs);
      const temb = G.nn.linear(s.child('time'), G.concat([G.sin(ang), G.cos(ang)], 1), 16);
      const lab = G.gather(
        s.param('label_embedding', [10, 16], G.init.truncatedNormal(0.02)),
        i.label!,
      );
      h = G.add(h, G.reshape(G.add(temb, lab), ['batch', 1, 16]));
      if (mode === 'train') h = G.dropout(h, i.keep!, 0.1);
      h = G.nn.transformerBlock(s.child('block'), h, { heads: 2 });
      const latents = G.slice(h, [0], [2], [1]);
      h = G.add(h, G.nn.attention(s.child('xattn'), h, latents, { heads: 2 }));
      const denoised = G.unpatchify(G.nn.linear(s.child('head'), h, 48), 4, 8, 8);
      return {
        outputs: { denoised },
        loss: i.target ? G.meanSquare(G.sub(denoised, i.target)) : undefined,
      };
    },
  };
  const add = (prefix: string, spec: G.TrainingSpec) => {
    out[`${prefix}/training_model.onnx`] = G.serialize(G.buildTrainingGraph(spec)).model;
    out[`${prefix}/eval_model.onnx`] = G.serialize(G.buildEvalGraph(spec.model, spec.params)).model;
    out[`${prefix}/optimizer_model.onnx`] = G.serialize(G.buildOptimizerGraph(spec)).model;
    out[`${prefix}/gradient_model.onnx`] = G.serialize(G.buildGradientGraph(spec)).model;
  };
  add('mlp-adamw-f32', { model: mlp, params: new G.Params({ seed: 1 }), optimizer: G.adamw() });
  add('mlp-lamb-f64', {
    model: mlp,
    params: new G.Params({ seed: 1, dtype: 'float64' }),
    optimizer: G.lamb(),
    clipNorm: 1,
    emaDecay: 0.999,
  });
  add('diffusion-block-lamb-f32', {
    model: block,
    params: new G.Params({ seed: 2 }),
    optimizer: G.lamb(),
    clipNorm: 1,
    emaDecay: 0.9999,
  });
  return out;
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');
const RESULT = join(__dirname, '..', 'fixtures', 'onnx-checker.json');

test('emitted models pass the committed onnx checker run (or the run is stale and we say so)', async () => {
  const ms = models();
  // Every model at least loads in onnxruntime (this part always runs).
  for (const [name, bytes] of Object.entries(ms)) {
    const s = await G.openSession(bytes).catch((e: unknown) => {
      throw new Error(`${name}: ${e}`);
    });
    await s.release();
  }
  const dir = process.env.NS_GRAPH_EMIT_DIR;
  if (dir) {
    for (const [name, bytes] of Object.entries(ms)) {
      mkdirSync(join(dir, name, '..'), { recursive: true });
      writeFileSync(join(dir, name), bytes);
    }
    writeFileSync(
      join(dir, 'hashes.json'),
      JSON.stringify(Object.fromEntries(Object.entries(ms).map(([n, b]) => [n, sha(b)])), null, 2),
    );
    return;
  }
  if (!existsSync(RESULT)) {
    console.log('onnx checker: no committed result; run tools/golden/graph/check_onnx.sh');
    return;
  }
  const committed = JSON.parse(readFileSync(RESULT, 'utf8')) as {
    models: Record<string, { sha256: string; checker: string; structural: string }>;
  };
  const stale = Object.entries(ms).filter(([n, b]) => committed.models[n]?.sha256 !== sha(b));
  if (stale.length > 0) {
    console.log(
      `onnx checker: skipped, committed result is stale for ${stale.map(([n]) => n).join(', ')}; rerun tools/golden/graph/check_onnx.sh`,
    );
    return;
  }
  for (const [name, r] of Object.entries(committed.models)) {
    expect([name, r.structural]).toEqual([name, 'ok']);
    expect([name, r.checker]).toEqual([name, expect.stringMatching(/^(ok|checker too old: .*)$/)]);
  }
});
