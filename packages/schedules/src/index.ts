/**
 * @ns/schedules — continuous-time noise schedules for diffusion models (Chen 2023, "On the
 * Importance of Noise Scheduling for Diffusion Models"). Zero dependencies; Node and browsers.
 */

export {
  fluxShiftMu,
  type InputScaleAdvice,
  type InputScaleRule,
  RESOLUTION_RULES,
  type ResolutionAdvice,
  type ResolutionRuleOptions,
  resolutionRule,
  resolutionRules,
  suggestInputScale,
  TABLE1_INPUT_SCALES,
} from './advice.js';
export {
  type CompareOptions,
  compareSchedules,
  type DensityOptions,
  type LogSnrDensity,
  logSnrCdf,
  logSnrDensity,
  logSnrQuantile,
  type RegionMass,
  type ScheduleComparison,
} from './analysis.js';
export {
  alphasCumprod,
  betas,
  type DiscreteOptions,
  rescaleZeroTerminalSnr,
} from './diffusers.js';
export {
  DIFFUSERS_VERSION,
  type DiffusersConfigOptions,
  type DiffusersSchedulerConfig,
  diffusersSchedulerConfig,
} from './diffusers-config.js';
export { DEFAULT_CLIP_MIN } from './families/common.js';
export { type CosineOptions, cosine } from './families/cosine.js';
export { cosineSimple } from './families/cosine-simple.js';
export { fromLogSnr } from './families/custom.js';
export { type IddpmCosineOptions, iddpmCosine } from './families/iddpm-cosine.js';
export { type LaplaceOptions, laplace } from './families/laplace.js';
export { type LinearOptions, linear } from './families/linear.js';
export {
  type EdmLognormalOptions,
  edmLognormal,
  type LognormalOptions,
  lognormal,
  type Sd3LogitNormalOptions,
  sd3LogitNormal,
} from './families/lognormal.js';
export { rectifiedFlow } from './families/rectified-flow.js';
export { type SigmoidOptions, sigmoid } from './families/sigmoid.js';
export {
  type InterpolatedCosineOptions,
  interpolatedCosine,
  type ShiftedCosineOptions,
  SIMPLE_DIFFUSION_LOGSNR_MAX,
  SIMPLE_DIFFUSION_LOGSNR_MIN,
  shiftedCosine,
} from './families/simple-diffusion.js';
export { KARRAS_DEFAULTS, type KarrasOptions, karrasSigmas } from './karras.js';
export { normalCdf, normalPdf, normalQuantile } from './normal.js';
export {
  flowTimeFromGamma,
  flowTimeFromLogSnr,
  flowTimeFromSigma,
  gammaFromFlowTime,
  gammaFromLogSnr,
  gammaFromSigma,
  logSnrFromFlowTime,
  logSnrFromGamma,
  logSnrFromSigma,
  sigmaFromFlowTime,
  sigmaFromGamma,
  sigmaFromLogSnr,
} from './parameterizations.js';
export {
  clipX0,
  type DdimStepInput,
  type DdpmStepInput,
  type DdpmVariance,
  ddimStep,
  ddpmStep,
  epsFromV,
  epsFromX0,
  guide,
  type NoiseLevel,
  type Prediction,
  type PredictionInput,
  predictionToX0Eps,
  type TimeGrid,
  timeGrid,
  vFromX0Eps,
  type X0Eps,
  x0FromEps,
  x0FromV,
} from './sampling.js';
export {
  formatSpacing,
  parseSpacing,
  type SamplingGrid,
  type SamplingSpacing,
  SPACING_SPEC_FORMS,
  samplingGrid,
} from './sampling-grid.js';
export { baseSchedule, normalizeVariance, varianceNormalizer, withInputScale } from './scaling.js';
export type { AlphaSigma, FloatArray, Schedule, ScheduleFamily } from './schedule.js';
export { equivalentGamma } from './schedule.js';
export { scheduleShift, withShift } from './shift.js';
export { formatSchedule, parseSchedule, SCHEDULE_SPEC_FORMS } from './spec.js';
export {
  diffusersTimesteps,
  roundHalfEven,
  TIMESTEP_SPACINGS,
  type TimestepOptions,
  type TimestepSpacing,
} from './timesteps.js';
