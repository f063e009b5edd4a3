/**
 * What the trainer needs from a denoising network (RIN implements it in @ns/rin): a forward pass
 * built into an @ns/graph graph, mapping the noisy image x_t, its noise level γ, class labels and
 * the previous latents to a prediction and the latents to carry. The network normalises x_t's
 * variance itself if it was designed to (RIN does, as its first layer).
 */
import type { Mode, Scope, Tensor } from '@ns/graph';
import type { Prediction } from '@ns/schedules';

export interface NetInputs {
  /** x_t, [B, H, W, C] (not normalised: that is the network's first layer). */
  readonly x: Tensor;
  /** γ per example, [B]. */
  readonly gamma: Tensor;
  /** Class ids, int64 [B] (ignored when numClasses = 0). */
  readonly labels: Tensor;
  /** 1 keeps the label, 0 drops it (label dropout, classifier-free guidance), [B]. */
  readonly labelMask: Tensor;
  /** Latents from the previous step or the self-conditioning pass, [B, ...latentShape]. */
  readonly latentsPrev: Tensor;
  /** Per-pass random inputs the network declared in `randomInputs` (dropout keep-masks). */
  readonly random: Readonly<Record<string, Tensor>>;
}

export interface NetOutputs {
  readonly prediction: Tensor;
  /** The full latent tensor for the next step, [B, ...latentShape]. */
  readonly latents: Tensor;
}

/** A keep-mask input for dropout: Bernoulli(1 − rate), per example shape. */
export interface RandomMaskSpec {
  readonly shape: readonly number[];
  readonly rate: number;
}

export interface DiffusionNet {
  readonly imageSize: number;
  readonly channels: number;
  /** Per-example latent shape, e.g. [latents, latentDim]. */
  readonly latentShape: readonly number[];
  /** 0 for an unconditional model. */
  readonly numClasses: number;
  readonly predict: Prediction;
  /** Whether the network warm-starts from `latentsPrev` (latent self-conditioning). */
  readonly selfCondition: boolean;
  /** Dropout keep-masks one training pass needs, by name (none in eval mode). */
  randomInputs(): Readonly<Record<string, RandomMaskSpec>>;
  forward(scope: Scope, inputs: NetInputs, mode: Mode): NetOutputs;
}
