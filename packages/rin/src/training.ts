/**
 * The RIN training objective with latent self-conditioning as P2S runs it for RIN
 * (`self_cond_by_masking`, spec §3.6, §3.9):
 *
 *   pass 1  (_, Z̃) = f(x_t, γ, labels, Z' = 0)          training mode, whole batch
 *   Z_sc = stop_gradient(Z̃) · keep                       keep ~ Bernoulli(rate) per example
 *   pass 2  (ε̂, _) = f(x_t, γ, labels, Z' = Z_sc)        training mode; the loss pass
 *   loss = mean((ε̂ − target)²)
 *
 * Noising, the keep draws and the target (ε, x₀ or v per `config.predict`) are data fed by the
 * caller. Both passes use the same labelMask (P2S draws label dropout per pass; feed one draw).
 */
import {
  type InputSpec,
  type ModelDefinition,
  meanSquare,
  mul,
  reshape,
  stopGradient,
  sub,
  type Tensor,
} from '@ns/graph';
import type { RinConfig } from './config.js';
import { type MaskSource, prefixMasks, randomMasks } from './dropout.js';
import { zerosOverBatch } from './internal/ops.js';
import { type RinInputs, rin } from './model.js';

export interface TrainingModelOptions {
  /** Dropout/drop-path masks of both passes (default: drawn in the graph). */
  readonly masks?: MaskSource;
}

/**
 * A @ns/graph ModelDefinition for buildTrainingGraph / writeArtifacts. Inputs: `x` (x_t), `gamma`
 * (+ `labels`, `labelMask`); train inputs: `target` and, with latent self-conditioning,
 * `selfCondKeep` ([B], 1 = condition on pass-1 latents, 0 = on zeros). Its eval graph runs one
 * pass from zero latents; for sampling export `rin(config).definition()` (it takes latentsPrev).
 */
export function trainingModel(
  config: RinConfig,
  options: TrainingModelOptions = {},
): ModelDefinition {
  const model = rin(config);
  const c = model.config;
  const selfCond = c.selfCondition === 'latent';
  const { latentsPrev: _omit, ...inputs } = model.inputs;
  const trainInputs: Record<string, InputSpec> = {
    target: { shape: ['batch', c.imageSize, c.imageSize, c.channels] },
  };
  if (selfCond) trainInputs.selfCondKeep = { shape: ['batch'] };
  return {
    inputs,
    trainInputs,
    build(scope, t, mode): { outputs: Record<string, Tensor>; loss?: Tensor } {
      const train = mode === 'train';
      const io: RinInputs = { x: t.x!, gamma: t.gamma!, labels: t.labels, labelMask: t.labelMask };
      const zeros = selfCond ? zerosOverBatch(io.x, c.latents, c.latentDim) : undefined;
      const masks = options.masks ?? randomMasks();
      if (!train) {
        const out = model.forward(scope, { ...io, latentsPrev: zeros });
        return { outputs: { prediction: out.prediction, latents: out.latents } };
      }
      let latentsPrev = zeros;
      if (selfCond) {
        // pass 1 draws its own dropout masks (names under 'pass1/')
        const first = model.forward(
          scope,
          { ...io, latentsPrev: zeros },
          { train, masks: prefixMasks(masks, 'pass1') },
        );
        const B = io.x.shape[0]!;
        latentsPrev = mul(stopGradient(first.latents), reshape(t.selfCondKeep!, [B, 1, 1]));
      }
      const out = model.forward(scope, { ...io, latentsPrev }, { train, masks });
      return { outputs: {}, loss: meanSquare(sub(out.prediction, t.target!)) };
    },
  };
}
