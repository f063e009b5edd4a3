export {
  buildEvalGraph,
  buildGradientGraph,
  buildOptimizerGraph,
  buildTrainingGraph,
  type InputSpec,
  initialState,
  type Mode,
  type ModelDefinition,
  type TrainingSpec,
  type TrainingState,
} from './artifacts.js';
export { type DType, type FloatDType, isFloat } from './dtype.js';
export { GraphError, type GraphErrorCode, isGraphError } from './errors.js';
export { type GradOptions, grad } from './grad.js';
export { type Attr, Graph, type GraphOptions, Tensor } from './graph.js';
export { graphBytes, graphBytesPer } from './memory.js';
export { buildMultiStepTrainingGraph, loopOverSteps, STEPS_DIM } from './multistep.js';
export * as nn from './nn/modules.js';
export {
  IR_VERSION,
  OPSET,
  type SerializedModel,
  type SerializeOptions,
  serialize,
  toOnnx,
} from './onnx/emit.js';
export {
  decodeSafetensors,
  encodeSafetensors,
  type SafeTensor,
  safetensorsLayout,
} from './onnx/safetensors.js';
export { type LoopOptions, type LoopResult, loop } from './ops/control.js';
export {
  add,
  cos,
  div,
  equal,
  erf,
  exp,
  greater,
  identity,
  less,
  log,
  mul,
  neg,
  pow,
  sigmoid,
  silu,
  sin,
  sqrt,
  stopGradient,
  sub,
  tanh,
  where,
} from './ops/elementwise.js';
export { type GemmOptions, gemm, matmul } from './ops/matmul.js';
export {
  cast,
  concat,
  expand,
  expandAs,
  gather,
  reshape,
  slice,
  transpose,
  transposeLast2,
} from './ops/movement.js';
export {
  dropout,
  gelu,
  type ImageLayout,
  layerNorm,
  patchify,
  softmax,
  unpatchify,
} from './ops/nn.js';
export { meanSquare, reduceMean, reduceSum } from './ops/reduce.js';
export type { Operand } from './ops/util.js';
export { type AdamWOptions, adamw } from './optim/adamw.js';
export {
  clipByGlobalNorm,
  matchesAny,
  type Optimizer,
  type OptimizerEntry,
  type ParamUpdate,
  type SlotUpdate,
  type StepInputs,
} from './optim/common.js';
export { type EmaOptions, type EmaUpdate, emaUpdate, emaWarmupDecay } from './optim/ema.js';
export { type LambOptions, lamb } from './optim/lamb.js';
export {
  type Initializer,
  init,
  type ParamArray,
  type ParamBinding,
  type ParamSpec,
  Params,
  Scope,
} from './params.js';
export { dropoutMask, Rng } from './rng.js';
export {
  CUDA_INSTALL_HINT,
  chooseSpinning,
  type Device,
  type OptimizationLevel,
  openSession,
  ort,
  type SessionOptions,
  type SpinningChoice,
  type SpinningContext,
} from './run.js';
export { broadcastShapes, type Dim, formatShape, type Shape } from './shape.js';
