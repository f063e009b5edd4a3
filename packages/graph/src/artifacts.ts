/**
 * Training programs as graphs (the artifacts @ns/trainer writes into a run folder):
 *
 *   buildTrainingGraph   forward + loss + backward + optimizer (+ clipping, EMA) as one graph
 *   buildEvalGraph       forward only, parameters as initializers
 *   buildOptimizerGraph  the update alone: params, grads, state, lr, step → new params, state
 *   buildGradientGraph   forward + loss + backward → loss, <param>.grad (gradient accumulation)
 *
 * Graph signature (names used by all three models):
 *   inputs  <data inputs>, <param>, <param>.<slot> (m, v), <param>.ema, lr (float []), step (int64 [])
 *   outputs loss, <forward outputs>, <param>.new, <param>.<slot>.new, <param>.ema.new, grad_norm
 * `step` is the 1-based number of the update being made.
 */
import type { DType } from './dtype.js';
import { GraphError } from './errors.js';
import { grad } from './grad.js';
import { Graph, type Tensor } from './graph.js';
import { clipByGlobalNorm, type Optimizer, type OptimizerEntry } from './optim/common.js';
import { emaUpdate } from './optim/ema.js';
import { type ParamArray, type Params, Scope } from './params.js';
import type { Shape } from './shape.js';

export type Mode = 'train' | 'eval';

export interface InputSpec {
  readonly shape: Shape;
  readonly dtype?: DType;
}

/** A model as a function of a parameter scope and named inputs. */
export interface ModelDefinition {
  /** Inputs of the forward pass (training and eval). Dims may be symbolic (e.g. 'batch'). */
  readonly inputs: Readonly<Record<string, InputSpec>>;
  /** Inputs only the training graph has: targets, dropout masks, noise. */
  readonly trainInputs?: Readonly<Record<string, InputSpec>>;
  /** Build the forward pass. In 'train' mode return a scalar `loss`. */
  build(
    scope: Scope,
    inputs: Readonly<Record<string, Tensor>>,
    mode: Mode,
  ): { outputs: Record<string, Tensor>; loss?: Tensor };
}

export interface TrainingSpec {
  readonly model: ModelDefinition;
  /** Parameter registry; its values are the initial (or resumed) weights. */
  readonly params: Params;
  readonly optimizer: Optimizer;
  /** Global-norm gradient clipping before the optimizer (tf.clip_by_global_norm). */
  readonly clipNorm?: number;
  /** Keep an EMA shadow of the parameters with this decay. */
  readonly emaDecay?: number;
  /** Warm the EMA decay up as min(emaDecay, (1 + k)/(10 + k)) at update k (see optim/ema.ts). */
  readonly emaWarmup?: boolean;
}

function declareInputs(
  g: Graph,
  specs: Readonly<Record<string, InputSpec>> | undefined,
): Record<string, Tensor> {
  const out: Record<string, Tensor> = {};
  for (const [name, s] of Object.entries(specs ?? {}))
    out[name] = g.input(name, s.shape, s.dtype ?? g.dtype);
  return out;
}

function stepInputs(g: Graph) {
  return { lr: g.input('lr', [], g.dtype), step: g.input('step', [], 'int64') };
}

/** Wire optimizer, clipping and EMA outputs for `entries` into `g`. */
function addUpdate(
  g: Graph,
  spec: Pick<TrainingSpec, 'optimizer' | 'clipNorm' | 'emaDecay' | 'emaWarmup'>,
  entries: OptimizerEntry[],
  step: ReturnType<typeof stepInputs>,
): void {
  let grads = entries.map((e) => e.grad);
  if (spec.clipNorm !== undefined) {
    const clipped = clipByGlobalNorm(grads, spec.clipNorm);
    grads = clipped.grads;
    g.output(clipped.norm, 'grad_norm');
  }
  const updates = spec.optimizer.apply(
    g,
    entries.map((e, i) => ({ ...e, grad: grads[i]! })),
    step,
  );
  for (const u of updates) {
    g.output(u.next, `${u.name}.new`);
    for (const s of u.slots) g.output(s.output, `${u.name}.${s.slot}.new`);
  }
  if (spec.emaDecay !== undefined) {
    for (const e of emaUpdate(
      g,
      updates.map((u) => ({ name: u.name, value: u.next })),
      spec.emaWarmup ? { decay: spec.emaDecay, warmupStep: step.step } : spec.emaDecay,
    )) {
      g.output(e.output, `${e.name}.ema.new`);
    }
  }
}

/** forward + loss + backward + update, parameters and state as inputs. */
export function buildTrainingGraph(spec: TrainingSpec): Graph {
  const g = new Graph({ dtype: spec.params.dtype, name: 'training' });
  const scope = new Scope(g, spec.params, 'inputs');
  const inputs = {
    ...declareInputs(g, spec.model.inputs),
    ...declareInputs(g, spec.model.trainInputs),
  };
  const { outputs, loss } = spec.model.build(scope, inputs, 'train');
  if (!loss)
    throw new GraphError(
      'invalid_argument',
      "buildTrainingGraph: model.build returned no loss in 'train' mode",
    );
  const lossOut = g.output(loss, 'loss');
  for (const [name, t] of Object.entries(outputs)) g.output(t, name);
  const bound = scope.boundParams();
  const grads = grad(
    lossOut,
    bound.map(([, t]) => t),
  );
  const step = stepInputs(g);
  addUpdate(
    g,
    spec,
    bound.map(([name, param], i) => ({ name, param, grad: grads[i]! })),
    step,
  );
  return g;
}

/**
 * forward + loss + backward without the update: outputs `loss`, forward outputs and
 * `<param>.grad`. With optimizer_model this splits a training step for gradient accumulation.
 */
export function buildGradientGraph(spec: Pick<TrainingSpec, 'model' | 'params'>): Graph {
  const g = new Graph({ dtype: spec.params.dtype, name: 'gradient' });
  const scope = new Scope(g, spec.params, 'inputs');
  const inputs = {
    ...declareInputs(g, spec.model.inputs),
    ...declareInputs(g, spec.model.trainInputs),
  };
  const { outputs, loss } = spec.model.build(scope, inputs, 'train');
  if (!loss)
    throw new GraphError(
      'invalid_argument',
      "buildGradientGraph: model.build returned no loss in 'train' mode",
    );
  const lossOut = g.output(loss, 'loss');
  for (const [name, t] of Object.entries(outputs)) g.output(t, name);
  const bound = scope.boundParams();
  grad(
    lossOut,
    bound.map(([, t]) => t),
  ).forEach((t, i) => {
    g.output(t, `${bound[i]![0]}.grad`);
  });
  return g;
}

/** The update alone (for gradient accumulation): inputs <param>, <param>.grad, state, lr, step. */
export function buildOptimizerGraph(
  spec: Omit<TrainingSpec, 'model'>,
  names?: readonly string[],
): Graph {
  const g = new Graph({ dtype: spec.params.dtype, name: 'optimizer' });
  const list = (names ?? spec.params.list().map((p) => p.name)).map((n) => spec.params.spec(n));
  const entries = list.map((p) => ({
    name: p.name,
    param: g.input(p.name, p.shape),
    grad: g.input(`${p.name}.grad`, p.shape),
  }));
  addUpdate(g, spec, entries, stepInputs(g));
  return g;
}

/** Forward only, with the registry's current values (or `values`) frozen in as initializers. */
export function buildEvalGraph(model: ModelDefinition, params: Params): Graph {
  const g = new Graph({ dtype: params.dtype, name: 'eval' });
  const scope = new Scope(g, params, 'initializers');
  const { outputs } = model.build(scope, declareInputs(g, model.inputs), 'eval');
  for (const [name, t] of Object.entries(outputs)) g.output(t, name);
  return g;
}

/** Optimizer state and step that travel with the parameters. */
export interface TrainingState {
  step: number;
  /** `<param>.<slot>` → values */
  slots: Map<string, ParamArray>;
  /** `<param>` → EMA shadow */
  ema: Map<string, ParamArray>;
}

/** Fresh state: zero moments, EMA = current weights, step 0. */
export function initialState(spec: TrainingSpec, names: readonly string[]): TrainingState {
  const F = spec.params.dtype === 'float32' ? Float32Array : Float64Array;
  const slots = new Map<string, ParamArray>();
  const ema = new Map<string, ParamArray>();
  for (const n of names) {
    const v = spec.params.value(n);
    for (const s of spec.optimizer.slots) slots.set(`${n}.${s}`, new F(v.length));
    if (spec.emaDecay !== undefined) ema.set(n, F.from(v));
  }
  return { step: 0, slots, ema };
}
