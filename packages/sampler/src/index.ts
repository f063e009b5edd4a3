/**
 * @ns/sampler — generation over any {@link Denoiser}: DDPM / DDIM as Chen 2023's Algorithm 3 runs
 * them, DPM-Solver++(2M), Euler and Heun on the probability-flow ODE, each one small solver over
 * the same model; with an adapter for exported ONNX models.
 */
export type { Denoiser, DenoiserInput, DenoiserOutput, ImageShape } from './denoiser.js';
export { type SampleOptions, type SampleResult, sample, toUint8 } from './generate.js';
export { parseSampler, SAMPLER_NAMES, type SamplerMethod, type SamplerName } from './method.js';
export { type Estimate, estimate, type Model, type StepProgress } from './model.js';
export { type OnnxDenoiserOptions, onnxDenoiser } from './onnx-denoiser.js';
export {
  ddim,
  ddpm,
  dpmpp2m,
  euler,
  heun,
  heunPlan,
  type Solver,
  type SolverInput,
  solverFor,
} from './solvers/index.js';
