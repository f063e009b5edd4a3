/**
 * A small fully connected denoiser that implements the {@link DiffusionNet} contract end to end
 * (variance normalisation as its first layer, γ conditioning, class tokens with a label mask,
 * latent self-conditioning with a zero-initialised LayerNorm, dropout from explicit masks). It is
 * the trainer's test model and a baseline; the paper's network is RIN (@ns/rin).
 */
import {
  add,
  concat,
  cos,
  div,
  dropout,
  gather,
  init,
  layerNorm,
  type Mode,
  mul,
  nn,
  reduceMean,
  reshape,
  type Scope,
  silu,
  sin,
  sqrt,
  sub,
  type Tensor,
} from '@ns/graph';
import { z } from 'zod';
import type { DiffusionNet, NetInputs, NetOutputs, RandomMaskSpec } from './net.js';

const positiveInt = z.int('an integer >= 1').min(1, 'an integer >= 1');

/** The MLP's configuration as a run's config.json stores it (`model: { kind: 'mlp', mlp }`). */
export const mlpOptionsSchema = z
  .object({
    imageSize: positiveInt,
    channels: positiveInt,
    hidden: positiveInt,
    numClasses: z.int('an integer >= 0').min(0, 'an integer >= 0').optional(),
    predict: z.enum(['eps', 'x', 'v'], "'eps', 'x' or 'v'").optional(),
    selfCondition: z.boolean('true or false').optional(),
    dropout: z.number('a rate in [0, 1)').min(0).lt(1, 'a rate in [0, 1)').optional(),
  })
  .strict();

export type MlpDenoiserOptions = z.output<typeof mlpOptionsSchema>;

/** Per-example population std normalisation over H·W·C (the paper's Algorithm 2 blue line). */
export function normalizePerExample(x: Tensor): Tensor {
  const mean = reduceMean(x, [1, 2, 3], true);
  const centred = sub(x, mean);
  const variance = reduceMean(mul(centred, centred), [1, 2, 3], true);
  return div(x, sqrt(variance));
}

/** Sinusoidal features of 1000·γ (as RIN embeds γ), [B] → [B, 2·half]. */
function gammaFeatures(gamma: Tensor, half: number): Tensor {
  const g = gamma.graph;
  const frequencies = Array.from({ length: half }, (_, i) =>
    Math.exp((-Math.log(10000) * i) / half),
  );
  const angles = mul(
    reshape(mul(gamma, 1000), ['batch', 1]),
    g.constant(frequencies, 'float32', [1, half]),
  );
  return concat([sin(angles), cos(angles)], 1);
}

export function mlpDenoiser(options: MlpDenoiserOptions): DiffusionNet {
  const { imageSize, channels, hidden } = options;
  const numClasses = options.numClasses ?? 0;
  const rate = options.dropout ?? 0;
  const size = imageSize * imageSize * channels;
  const selfCondition = options.selfCondition ?? true;
  return {
    imageSize,
    channels,
    latentShape: [hidden],
    numClasses,
    predict: options.predict ?? 'eps',
    selfCondition,
    randomInputs(): Record<string, RandomMaskSpec> {
      return rate > 0 ? { hiddenDropout: { shape: [hidden], rate } } : {};
    },
    forward(scope: Scope, inputs: NetInputs, mode: Mode): NetOutputs {
      const x = reshape(normalizePerExample(inputs.x), ['batch', size]);
      let h = nn.linear(scope.child('in'), x, hidden);
      h = add(
        h,
        nn.mlp(scope.child('time'), gammaFeatures(inputs.gamma, 16), {
          hidden,
          out: hidden,
          activation: 'silu',
        }),
      );
      if (numClasses > 0) {
        const table = scope
          .child('class')
          .param('embeddings', [numClasses, hidden], init.truncatedNormal(0.02));
        const embedded = gather(table, inputs.labels, 0);
        h = add(h, mul(embedded, reshape(inputs.labelMask, ['batch', 1])));
      }
      if (selfCondition) {
        // Z = Z_init + LN_zero(Z' + MLP(Z')): zero scale, so the previous latents have no effect at init.
        const prev = inputs.latentsPrev;
        const mixed = add(
          prev,
          nn.mlp(scope.child('selfCond'), prev, { hidden, out: hidden, activation: 'gelu' }),
        );
        const ln = scope.child('selfCondNorm');
        h = add(
          h,
          layerNorm(
            mixed,
            ln.param('gamma', [hidden], init.zeros()),
            ln.param('beta', [hidden], init.zeros()),
            1e-6,
          ),
        );
      }
      let z = silu(h);
      z = add(
        z,
        nn.mlp(scope.child('block'), nn.layerNorm(scope.child('blockNorm'), z), {
          hidden: 2 * hidden,
          out: hidden,
          activation: 'gelu',
        }),
      );
      if (rate > 0 && mode === 'train') z = dropout(z, inputs.random['hiddenDropout']!, rate);
      const prediction = reshape(
        nn.linear(scope.child('out'), nn.layerNorm(scope.child('outNorm'), z), size),
        ['batch', imageSize, imageSize, channels],
      );
      return { prediction, latents: z };
    },
  };
}
