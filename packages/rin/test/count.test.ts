/**
 * Parameter counts: spec §5.3's numbers for every paper preset, and equality with the parameters
 * the built graph registers, part by part, for random configs.
 */

import { Graph, Params, Scope } from '@ns/graph';
import fc from 'fast-check';
import {
  declareInputs,
  forwardFlops,
  paramBreakdown,
  paramCount,
  preset,
  type RinConfig,
  type RinInputs,
  rin,
} from '../src/index';

const millions = (n: number) => Math.round(n / 1e4) / 100;

describe('spec §5.3 parameter counts', () => {
  test.each([
    ['imagenet64', 214.48],
    ['imagenet128', 214.58],
    ['imagenet256', 319.03],
    ['imagenet512', 320.61],
    ['imagenet768', 408.28],
    ['imagenet1024', 411.95],
    ['cifar10', 30.95],
  ])('%s has %pM parameters', (name, m) => {
    expect(millions(paramCount(preset(name)))).toBe(m);
  });

  test('the P2S ImageNet-64 sweep with blocks (4,4,4,4) has 157.78M', () => {
    expect(millions(paramCount({ ...preset('imagenet64'), blocks: [4, 4, 4, 4] }))).toBe(157.78);
  });

  test('parts add up to the total', () => {
    const b = paramBreakdown(preset('imagenet256'));
    expect(b.parts.reduce((s, p) => s + p.params, 0)).toBe(b.total);
    expect(b.parts.map((p) => p.name).slice(0, 6)).toEqual([
      'stem',
      'interface_pos_emb',
      'latent_pos_emb',
      'time_emb',
      'class_emb',
      'self_cond',
    ]);
  });
});

/** Build the forward graph and group the registered parameters by breakdown part. */
function registered(config: RinConfig): { total: number; byPart: Map<string, number> } {
  const model = rin(config);
  const g = new Graph();
  const params = new Params({ seed: 1 });
  const io = declareInputs(g, model.inputs) as unknown as RinInputs;
  model.forward(new Scope(g, params, 'inputs'), io, { train: true });
  const parts = paramBreakdown(config).parts.map((p) => p.name);
  const byPart = new Map<string, number>();
  for (const s of params.list()) {
    const part = parts.find((p) => s.name === p || s.name.startsWith(`${p}/`));
    if (!part) throw new Error(`parameter ${s.name} belongs to no part`);
    byPart.set(part, (byPart.get(part) ?? 0) + s.shape.reduce((a, b) => a * b, 1));
  }
  return { total: params.count, byPart };
}

const smallConfig: fc.Arbitrary<RinConfig> = fc
  .record({
    imageGrid: fc.integer({ min: 1, max: 4 }),
    channels: fc.integer({ min: 1, max: 3 }),
    patchSize: fc.integer({ min: 1, max: 3 }),
    dHeads: fc.integer({ min: 1, max: 3 }),
    dPerHead: fc.integer({ min: 1, max: 3 }),
    latentDim8: fc.integer({ min: 1, max: 3 }),
    learned: fc.integer({ min: 1, max: 4 }),
    blocks: fc.array(fc.integer({ min: 0, max: 2 }), { minLength: 1, maxLength: 3 }),
    latentMlpRatio: fc.integer({ min: 1, max: 3 }),
    interfaceMlpRatio: fc.integer({ min: 0, max: 2 }),
    numClasses: fc.integer({ min: 0, max: 4 }),
    selfCondition: fc.constantFrom('latent' as const, 'none' as const),
    dropout: fc.constantFrom(0, 0.1),
    dropPath: fc.constantFrom(0, 0.2),
  })
  .map((r) => {
    const latentDim = 8 * r.latentDim8;
    const interfaceDim = r.dHeads * r.dPerHead;
    // rwHeads must divide min(d, D); latentHeads must divide D.
    const k = Math.min(interfaceDim, latentDim);
    const rwHeads = [r.dHeads, 2, 1].find((h) => k % h === 0)!;
    return {
      imageSize: r.imageGrid * r.patchSize,
      channels: r.channels,
      patchSize: r.patchSize,
      interfaceDim,
      latents: r.learned + 1 + (r.numClasses > 0 ? 1 : 0),
      latentDim,
      blocks: r.blocks,
      latentHeads: 2,
      rwHeads,
      latentMlpRatio: r.latentMlpRatio,
      interfaceMlpRatio: r.interfaceMlpRatio,
      numClasses: r.numClasses,
      dropout: r.dropout,
      dropPath: r.dropPath,
      selfCondition: r.selfCondition,
      predict: 'eps' as const,
    };
  });

test('the formula equals what the built graph registers, part by part (random configs)', () => {
  fc.assert(
    fc.property(smallConfig, (config) => {
      const { total, byPart } = registered(config);
      const formula = paramBreakdown(config);
      expect(total).toBe(formula.total);
      expect(rin(config).paramCount).toBe(total);
      for (const p of formula.parts)
        expect([p.name, byPart.get(p.name) ?? 0]).toEqual([p.name, p.params]);
    }),
    { numRuns: 40, seed: 4 },
  );
});

test('every CPU and reference preset registers exactly its formula count', () => {
  for (const name of ['cifar10', 'mnist', 'emoji', 'tiny']) {
    expect(registered(preset(name)).total).toBe(paramCount(preset(name)));
  }
});

test('createParams declares every parameter with the reference initialisers', () => {
  const params = rin(preset('tiny')).createParams({ seed: 3 });
  expect(params.count).toBe(paramCount(preset('tiny')));
  const v = (n: string) => Array.from(params.value(n));
  expect(v('self_cond/ln_out/gamma').every((x) => x === 0)).toBe(true); // LN₀: zero scale
  expect(v('self_cond/ln_out/beta').every((x) => x === 0)).toBe(true);
  expect(v('block0/read/ln_attn/gamma').every((x) => x === 1)).toBe(true);
  expect(v('block0/read/attn/query/bias').every((x) => x === 0)).toBe(true);
  const pos = v('latent_pos_emb');
  expect(Math.max(...pos.map(Math.abs))).toBeLessThanOrEqual(0.04); // truncated at 2σ, σ = 0.02
  const sd = Math.sqrt(pos.reduce((s, x) => s + x * x, 0) / pos.length);
  expect(sd).toBeGreaterThan(0.01);
  expect(sd).toBeLessThan(0.025);
  // glorot-uniform: U(−l, l), l = √(6/(fan_in + fan_out))
  const k = v('block0/process/layer0/mlp/dense1/kernel');
  const limit = Math.sqrt(6 / (48 + 96));
  expect(Math.max(...k.map(Math.abs))).toBeLessThanOrEqual(limit);
  expect(Math.max(...k.map(Math.abs))).toBeGreaterThan(0.9 * limit);
});

test('forward FLOPs: ImageNet-64 and per-part sums', () => {
  const f = forwardFlops(preset('imagenet64'));
  expect(f.parts.reduce((s, p) => s + p.flops, 0)).toBe(f.total);
  // 2·params-per-token bounds: every latent weight is used ≥ once per latent token.
  expect(f.total).toBeGreaterThan(2 * 126 * 150e6);
  expect(f.total / 1e9).toBeLessThan(100);
});
