/**
 * Chen 2023, Algorithm 2, as the reference code runs it (spec §3.5, §3.6, §3.9), written as the
 * forward half of one training graph:
 *
 *   x0 = (images·2 − 1)·b;  x_t = √γ·x0 + √(1 − γ)·ε          (γ = γ_train(t), fed per example)
 *   Z̃  = net(x_t, γ, labels, labelMaskSelfCond, Z = 0)          (self-conditioning pass)
 *   Z' = stopGradient(Z̃ · selfCondMask)                          (kept with probability r = 0.9)
 *   p  = net(x_t, γ, labels, labelMask, Z')
 *   loss = mean((target − p)²), target ε, x0/b (x-prediction, as the reference) or v;
 *   with a loss weighting (weighting.ts) mean_i w(γ_i)·mean((target_i − p_i)²).
 *
 * t, ε and the masks are drawn in TypeScript from the step's seed and fed as inputs, so a run is
 * reproducible and resumable. The network does its own variance normalisation.
 */
import {
  add,
  type InputSpec,
  type Mode,
  type ModelDefinition,
  meanSquare,
  mul,
  reduceMean,
  reshape,
  type Scope,
  sqrt,
  stopGradient,
  sub,
  type Tensor,
} from '@ns/graph';
import type { DiffusionNet } from './net.js';
import { lossWeights, type Weighting } from './weighting.js';

export interface ObjectiveOptions {
  /** Input scale b (Chen 2023 §2): x0 ∈ [−b, b]. */
  readonly inputScale: number;
  /** Weight of each example's loss over its noise level (default `eps`: none). */
  readonly weighting?: Weighting;
}

/** Names of the per-pass random inputs the training graph declares for `net`. */
export function randomInputName(name: string, pass: 'selfCond' | 'main'): string {
  return `${name}@${pass}`;
}

const batchShape = (rest: readonly number[]) => ['batch', ...rest] as const;

/** The training model: inputs are a data batch plus the step's random draws; output `loss`. */
export function trainingObjective(net: DiffusionNet, options: ObjectiveOptions): ModelDefinition {
  const b = options.inputScale;
  if (!(b > 0 && Number.isFinite(b)))
    throw new RangeError(`\`inputScale\` must be a finite number > 0, got ${b}`);
  const image = [net.imageSize, net.imageSize, net.channels];
  const random = net.randomInputs();
  const trainInputs: Record<string, InputSpec> = {
    images: { shape: batchShape(image) },
    gamma: { shape: ['batch'] },
    noise: { shape: batchShape(image) },
    labels: { shape: ['batch'], dtype: 'int64' },
    labelMask: { shape: ['batch'] },
  };
  if (net.selfCondition) {
    trainInputs['labelMaskSelfCond'] = { shape: ['batch'] };
    trainInputs['selfCondMask'] = { shape: ['batch'] };
  }
  trainInputs['latentsZero'] = { shape: batchShape(net.latentShape) };
  const passes = net.selfCondition ? (['selfCond', 'main'] as const) : (['main'] as const);
  for (const pass of passes) {
    for (const [name, spec] of Object.entries(random)) {
      trainInputs[randomInputName(name, pass)] = { shape: batchShape(spec.shape), dtype: 'bool' };
    }
  }

  return {
    inputs: {},
    trainInputs,
    build(scope: Scope, inputs: Readonly<Record<string, Tensor>>, mode: Mode) {
      if (mode !== 'train')
        throw new Error(
          'trainingObjective builds the training graph only; use denoiserModel for eval',
        );
      const input = (name: string): Tensor => inputs[name]!;
      const gamma = input('gamma');
      const gamma4 = reshape(gamma, ['batch', 1, 1, 1]);
      const x0 = mul(sub(mul(input('images'), 2), 1), b);
      const noise = input('noise');
      const xt = add(mul(sqrt(gamma4), x0), mul(sqrt(sub(1, gamma4)), noise));
      const randomFor = (pass: 'selfCond' | 'main') =>
        Object.fromEntries(
          Object.keys(random).map((name) => [name, input(randomInputName(name, pass))]),
        );

      let latentsPrev = input('latentsZero');
      if (net.selfCondition) {
        const first = net.forward(
          scope,
          {
            x: xt,
            gamma,
            labels: input('labels'),
            labelMask: input('labelMaskSelfCond'),
            latentsPrev,
            random: randomFor('selfCond'),
          },
          mode,
        );
        const keep = reshape(input('selfCondMask'), ['batch', ...net.latentShape.map(() => 1)]);
        latentsPrev = stopGradient(mul(first.latents, keep));
      }
      const { prediction } = net.forward(
        scope,
        {
          x: xt,
          gamma,
          labels: input('labels'),
          labelMask: input('labelMask'),
          latentsPrev,
          random: randomFor('main'),
        },
        mode,
      );
      let target: Tensor;
      let predicted = prediction;
      switch (net.predict) {
        case 'eps':
          target = noise;
          break;
        case 'x':
          // The reference loss for x-prediction: mean(((x0 − x̂0)/b)²).
          target = mul(x0, 1 / b);
          predicted = mul(prediction, 1 / b);
          break;
        case 'v':
          target = sub(mul(sqrt(gamma4), noise), mul(sqrt(sub(1, gamma4)), x0));
          break;
      }
      const weights = lossWeights(options.weighting ?? { kind: 'eps' }, gamma, net.predict);
      if (weights === undefined) return { outputs: {}, loss: meanSquare(sub(predicted, target)) };
      // mean over examples of w_i · (the example's mean square error)
      const error = sub(predicted, target);
      const perExample = reduceMean(mul(error, error), [1, 2, 3], false);
      return { outputs: {}, loss: reduceMean(mul(perExample, weights), [0], false) };
    },
  };
}

/** The eval model (eval_model.onnx): inputs x, gamma, labels, labelMask, latentsPrev. */
export function denoiserModel(net: DiffusionNet): ModelDefinition {
  const image = [net.imageSize, net.imageSize, net.channels];
  return {
    inputs: {
      x: { shape: batchShape(image) },
      gamma: { shape: ['batch'] },
      labels: { shape: ['batch'], dtype: 'int64' },
      labelMask: { shape: ['batch'] },
      latentsPrev: { shape: batchShape(net.latentShape) },
    },
    build(scope, inputs, mode) {
      const { prediction, latents } = net.forward(
        scope,
        {
          x: inputs['x']!,
          gamma: inputs['gamma']!,
          labels: inputs['labels']!,
          labelMask: inputs['labelMask']!,
          latentsPrev: inputs['latentsPrev']!,
          random: {},
        },
        mode,
      );
      return { outputs: { prediction, latents } };
    },
  };
}
