/**
 * Training programs and their on-disk artifacts (layout documented in the README):
 *
 *   training_model.onnx   forward + loss + backward + optimizer (+ clipping, EMA) as one graph
 *   eval_model.onnx       forward only, parameters as initializers (external data past 1.5 GiB)
 *   optimizer_model.onnx  the update alone: params, grads, state, lr, step → new params, state
 *   gradient_model.onnx   forward + loss + backward → loss, <param>.grad (gradient accumulation)
 *   checkpoint/           model.safetensors, optimizer.safetensors, ema.safetensors, meta.json
 *
 * Graph signature (names used by all three models):
 *   inputs  <data inputs>, <param>, <param>.<slot> (m, v), <param>.ema, lr (float []), step (int64 [])
 *   outputs loss, <forward outputs>, <param>.new, <param>.<slot>.new, <param>.ema.new, grad_norm
 * `step` is the 1-based number of the update being made.
 */
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DType, FloatDType } from './dtype.js';
import { GraphError } from './errors.js';
import { grad } from './grad.js';
import { Graph, type Tensor } from './graph.js';
import { serialize } from './onnx/emit.js';
import { decodeSafetensors, encodeSafetensors, type SafeTensor } from './onnx/safetensors.js';
import { clipByGlobalNorm, type Optimizer, type OptimizerEntry } from './optim/common.js';
import { emaUpdate } from './optim/ema.js';
import { type ParamArray, type Params, Scope } from './params.js';
import type { SessionOptions } from './run.js';
import type { Shape } from './shape.js';
import { Trainer } from './trainer.js';

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
  /** Free-form configuration saved into checkpoint/meta.json. */
  readonly config?: unknown;
}

export const ARTIFACT_FORMAT = 'ns-graph-artifacts/1';

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

export interface WriteOptions {
  /** Initializers above this many bytes go to eval_model.onnx.data (default 1.5 GiB). */
  readonly externalDataThreshold?: number;
  /** Write eval_model.onnx from the EMA weights instead of the online ones. */
  readonly evalFromEma?: boolean;
}

function safe(dtype: FloatDType, shape: readonly number[], data: ParamArray): SafeTensor {
  return dtype === 'float32'
    ? { dtype, shape, data: data as Float32Array }
    : { dtype, shape, data: data as Float64Array };
}

/** Write the artifact directory for `spec` with its current parameter values and `state`. */
export async function writeArtifacts(
  dir: string,
  spec: TrainingSpec,
  state?: TrainingState,
  options: WriteOptions = {},
): Promise<void> {
  const training = buildTrainingGraph(spec);
  const names = training.inputs.map((t) => t.name).filter((n) => spec.params.has(n));
  const st = state ?? initialState(spec, names);
  const dtype = spec.params.dtype;
  await mkdir(join(dir, 'checkpoint'), { recursive: true });
  await writeFile(join(dir, 'training_model.onnx'), serialize(training).model);
  await writeFile(
    join(dir, 'optimizer_model.onnx'),
    serialize(buildOptimizerGraph(spec, names)).model,
  );
  await writeFile(join(dir, 'gradient_model.onnx'), serialize(buildGradientGraph(spec)).model);
  let evalParams = spec.params;
  if (options.evalFromEma) {
    if (st.ema.size === 0)
      throw new GraphError('invalid_argument', 'writeArtifacts: evalFromEma needs emaDecay');
    evalParams = Object.create(spec.params) as Params;
    evalParams.value = (n: string) => st.ema.get(n) ?? spec.params.value(n);
  }
  const evalModel = serialize(buildEvalGraph(spec.model, evalParams), {
    externalDataThreshold: options.externalDataThreshold,
    externalDataFile: 'eval_model.onnx.data',
  });
  await writeFile(join(dir, 'eval_model.onnx'), evalModel.model);
  if (evalModel.externalData)
    await writeFile(join(dir, evalModel.externalData.file), evalModel.externalData.bytes);

  const model: Record<string, SafeTensor> = {};
  const optimizer: Record<string, SafeTensor> = {};
  const ema: Record<string, SafeTensor> = {};
  for (const n of names) {
    const shape = spec.params.spec(n).shape;
    model[n] = safe(dtype, shape, spec.params.value(n));
    for (const s of spec.optimizer.slots)
      optimizer[`${n}.${s}`] = safe(dtype, shape, st.slots.get(`${n}.${s}`)!);
    const e = st.ema.get(n);
    if (e) ema[n] = safe(dtype, shape, e);
  }
  const meta = {
    format: ARTIFACT_FORMAT,
    step: st.step,
    dtype,
    params: names.map((n) => ({ name: n, shape: spec.params.spec(n).shape })),
    optimizer: { kind: spec.optimizer.kind, slots: spec.optimizer.slots, ...spec.optimizer.config },
    clipNorm: spec.clipNorm ?? null,
    emaDecay: spec.emaDecay ?? null,
    emaWarmup: spec.emaWarmup ?? false,
    inputs: Object.fromEntries(
      Object.entries(spec.model.inputs).map(([k, v]) => [
        k,
        { shape: v.shape, dtype: v.dtype ?? dtype },
      ]),
    ),
    trainInputs: Object.fromEntries(
      Object.entries(spec.model.trainInputs ?? {}).map(([k, v]) => [
        k,
        { shape: v.shape, dtype: v.dtype ?? dtype },
      ]),
    ),
    config: spec.config ?? null,
  };
  const tag = { format: ARTIFACT_FORMAT, step: String(st.step) };
  await writeFile(join(dir, 'checkpoint', 'model.safetensors'), encodeSafetensors(model, tag));
  await writeFile(
    join(dir, 'checkpoint', 'optimizer.safetensors'),
    encodeSafetensors(optimizer, tag),
  );
  if (st.ema.size > 0)
    await writeFile(join(dir, 'checkpoint', 'ema.safetensors'), encodeSafetensors(ema, tag));
  await writeFile(join(dir, 'checkpoint', 'meta.json'), `${JSON.stringify(meta, null, 2)}\n`);
}

export interface CheckpointMeta {
  readonly format: string;
  readonly step: number;
  readonly dtype: FloatDType;
  readonly params: readonly { name: string; shape: number[] }[];
  readonly optimizer: { kind: string; slots: string[] } & Record<string, unknown>;
  readonly clipNorm: number | null;
  readonly emaDecay: number | null;
  readonly emaWarmup?: boolean;
  readonly inputs: Record<string, { shape: Shape; dtype: DType }>;
  readonly trainInputs: Record<string, { shape: Shape; dtype: DType }>;
  readonly config: unknown;
}

export interface Checkpoint {
  readonly meta: CheckpointMeta;
  readonly params: Map<string, ParamArray>;
  readonly state: TrainingState;
}

/** Read checkpoint/ of an artifact directory. */
export async function readCheckpoint(dir: string): Promise<Checkpoint> {
  const meta = JSON.parse(
    await readFile(join(dir, 'checkpoint', 'meta.json'), 'utf8'),
  ) as CheckpointMeta;
  if (meta.format !== ARTIFACT_FORMAT) {
    throw new GraphError(
      'invalid_artifacts',
      `readCheckpoint: expected format '${ARTIFACT_FORMAT}' in ${dir}, got '${meta.format}'`,
    );
  }
  const load = async (file: string) =>
    decodeSafetensors(new Uint8Array(await readFile(join(dir, 'checkpoint', file)))).tensors;
  const asMap = (ts: Record<string, SafeTensor>) =>
    new Map(Object.entries(ts).map(([k, t]) => [k, t.data as ParamArray]));
  const params = asMap(await load('model.safetensors'));
  const slots = asMap(await load('optimizer.safetensors'));
  const ema =
    meta.emaDecay !== null ? asMap(await load('ema.safetensors')) : new Map<string, ParamArray>();
  return { meta, params, state: { step: meta.step, slots, ema } };
}

/** A Trainer over `spec`'s training graph, starting from the registry's values and `state`. */
export async function createTrainer(
  spec: TrainingSpec,
  options: SessionOptions = {},
  state?: TrainingState,
): Promise<Trainer> {
  const training = buildTrainingGraph(spec);
  const names = training.inputs.map((t) => t.name).filter((n) => spec.params.has(n));
  const params = new Map(
    names.map((n) => [n, { shape: spec.params.spec(n).shape, value: spec.params.value(n) }]),
  );
  return Trainer.create(
    serialize(training).model,
    { dtype: spec.params.dtype, params, state: state ?? initialState(spec, names) },
    options,
  );
}

/** Copy a trainer's parameters into the registry; returns its state for `writeArtifacts`. */
export function commitTrainer(spec: TrainingSpec, trainer: Trainer): TrainingState {
  const snap = trainer.snapshot();
  for (const [n, v] of snap.params) spec.params.set(n, v);
  return snap.state;
}
