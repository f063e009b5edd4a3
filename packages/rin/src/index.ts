export {
  CONFIG_KEYS,
  crossAttentionDim,
  interfaceTokens,
  learnedLatents,
  type ParseResult,
  type Prediction,
  parseRinConfig,
  type RinConfig,
  type SelfCondition,
  safeParseRinConfig,
} from './config.js';
export {
  type CountPart,
  type FlopCount,
  forwardFlops,
  type ParamBreakdown,
  paramBreakdown,
  paramCount,
} from './count.js';
export {
  describeRin,
  formatCount,
  formatDescription,
  formatParamBreakdown,
  type RinDescription,
} from './describe.js';
export {
  type MaskInput,
  type MaskSource,
  maskInputs,
  prefixMasks,
  randomMasks,
} from './dropout.js';
export {
  formatIssues,
  isRinError,
  type RinConfigIssue,
  RinError,
  type RinErrorCode,
} from './errors.js';
export {
  declareInputs,
  type ForwardOptions,
  type RinInputs,
  type RinModel,
  type RinOutputs,
  rin,
  TIME_SCALING,
} from './model.js';
export { PRESET_NAMES, type PresetName, preset, presets } from './presets.js';
export { paramsFromWeights, type Weights } from './weights.js';
