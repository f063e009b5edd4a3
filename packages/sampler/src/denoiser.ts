/**
 * The one contract every sampler here runs against: a denoiser maps the (variance-normalised)
 * noisy batch and its noise level γ to a prediction, and may carry hidden state (RIN's latents)
 * from one step to the next.
 */

export interface DenoiserInput {
  /** The network input: x_t, normalised per example when the model was trained that way. B×H×W×C. */
  readonly x: Float32Array;
  /** γ per example (the inference schedule's, not t: RIN is conditioned on γ). */
  readonly gamma: Float32Array;
  /** Hidden state from the previous step (zeros at the first step); empty when the model has none. */
  readonly latentsPrev: Float32Array;
  /** Class id per example (ignored by unconditional models). */
  readonly labels: Int32Array;
  /** 1 keeps the label, 0 drops it (the unconditional pass of classifier-free guidance). */
  readonly labelMask: Float32Array;
}

export interface DenoiserOutput {
  /** ε̂, x̂0 or v̂ (see `predict`), same size as `x`. */
  readonly prediction: Float32Array;
  /** The hidden state to feed as `latentsPrev` next step (may be empty). */
  readonly latents: Float32Array;
}

export type Denoiser = (input: DenoiserInput) => Promise<DenoiserOutput>;

/** The batch layout a sampler produces: B images of H×W×C, channels last. */
export interface ImageShape {
  readonly batch: number;
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}
