/**
 * @ns/sampler — DDPM / DDIM generation (Chen 2023, Algorithm 3, as the reference code runs it)
 * over any {@link Denoiser}, with an adapter for exported ONNX models.
 */
export type { Denoiser, DenoiserInput, DenoiserOutput, ImageShape } from './denoiser.js';
export {
  type SampleOptions,
  type SampleResult,
  type StepProgress,
  sample,
  toUint8,
} from './generate.js';
export { parseSampler, SAMPLER_NAMES, type SamplerMethod, type SamplerName } from './method.js';
export { type OnnxDenoiserOptions, onnxDenoiser } from './onnx-denoiser.js';
