/**
 * K optimizer steps per session run: the one-step training graph of artifacts.ts becomes the body
 * of an ONNX `Loop` whose carried state is everything the step feeds back to itself (parameters,
 * optimizer slots, EMA). Each `run()` then moves that state between JS and the device once per K
 * steps instead of once per step (the Node binding has no CUDA IO binding).
 *
 * Graph signature (names as in artifacts.ts, with a leading K axis on everything per-step):
 *   inputs  <param>, <param>.<slot>, <param>.ema     as the one-step graph (carried)
 *           <data input>  [K, ...one-step shape]       the K batches and random draws, stacked
 *           lr            [K]                          the learning rate of each step
 *           step          int64 []                     1-based number of the first update
 *   outputs <carried>.new                              after the K-th update
 *           loss, grad_norm, <forward outputs>  [K, ...]  every step's value, stacked
 * K is symbolic: one artifact runs any number of steps (the trip count is lr's length).
 */
import type { TrainingSpec } from './artifacts.js';
import { buildTrainingGraph } from './artifacts.js';
import { GraphError } from './errors.js';
import { Graph, type NodeRecord, Tensor } from './graph.js';
import { loop } from './ops/control.js';

/** The symbol of the steps axis in the multi-step graph's shapes. */
export const STEPS_DIM = 'K';

/** The multi-step training graph of `spec`: a Loop whose body is `buildTrainingGraph(spec)`. */
export function buildMultiStepTrainingGraph(spec: TrainingSpec): Graph {
  return loopOverSteps(buildTrainingGraph(spec));
}

/** How each input of a one-step training graph is treated by the loop. */
interface Roles {
  readonly carried: Tensor[];
  readonly perStep: Tensor[];
  readonly lr: Tensor;
  readonly step: Tensor;
}

function roles(oneStep: Graph): Roles {
  const outputs = new Set(oneStep.outputs.map((t) => t.name));
  const find = (name: string, dtype: string) => {
    const t = oneStep.inputs.find((i) => i.name === name);
    if (!t || t.dtype !== dtype || t.rank !== 0) {
      throw new GraphError(
        'invalid_argument',
        `loopOverSteps: a training graph needs a ${dtype}[] input '${name}', got ${t ?? 'none'}`,
      );
    }
    return t;
  };
  const lr = find('lr', oneStep.dtype);
  const step = find('step', 'int64');
  const carried: Tensor[] = [];
  const perStep: Tensor[] = [];
  for (const t of oneStep.inputs) {
    if (t === lr || t === step) continue;
    if (outputs.has(`${t.name}.new`)) carried.push(t);
    else {
      if (t.shape.includes(STEPS_DIM)) {
        throw new GraphError(
          'invalid_argument',
          `loopOverSteps: input '${t.name}' already uses the symbol '${STEPS_DIM}' of the steps axis`,
        );
      }
      perStep.push(t);
    }
  }
  if (carried.length === 0)
    throw new GraphError('invalid_argument', 'loopOverSteps: the graph carries no state');
  return { carried, perStep, lr, step };
}

/**
 * Wrap a one-step training graph (artifacts.ts signature) in a Loop over K steps. The body holds
 * the one-step graph's nodes and constants unchanged, under names prefixed `_step/` so that they
 * cannot meet the outer graph's; it starts by picking step k's slice of every per-step input
 * (Gather at the iteration number) and computing the update number `step + k`.
 */
export function loopOverSteps(oneStep: Graph): Graph {
  const { carried, perStep, lr, step } = roles(oneStep);
  const g = new Graph({ dtype: oneStep.dtype, name: `${oneStep.name}_multistep` });
  const inner = (name: string) => (name === '' ? '' : `_step/${name}`);

  // Outer inputs keep the one-step names and order; per-step ones get the leading K axis.
  const outer = new Map<string, Tensor>();
  for (const t of oneStep.inputs) {
    const shape = t === lr ? [STEPS_DIM] : perStep.includes(t) ? [STEPS_DIM, ...t.shape] : t.shape;
    outer.set(t.name, g.input(t.name, shape, t.dtype));
  }

  const body = new Graph({ dtype: oneStep.dtype, name: `${oneStep.name}_step` });
  const iteration = new Tensor(body, g.fresh('iteration'), [], 'int64');
  const condIn = new Tensor(body, g.fresh('cond'), [], 'bool');
  const condOut = new Tensor(body, g.fresh('cond_out'), [], 'bool');
  body.inputs.push(
    iteration,
    condIn,
    ...carried.map((t) => new Tensor(body, inner(t.name), t.shape, t.dtype)),
  );
  const node = (op: string, inputs: string[], output: string, attrs: NodeRecord['attrs'] = {}) =>
    body.nodes.push({ op, name: `_step/n${op}_${output}`, inputs, outputs: [output], attrs });
  node('Identity', [condIn.name], condOut.name);
  for (const t of [...perStep, lr])
    node('Gather', [t.name, iteration.name], inner(t.name), { axis: { int: 0 } });
  node('Add', [step.name, iteration.name], inner(step.name));
  for (const n of oneStep.nodes) {
    body.nodes.push({
      ...n,
      name: inner(n.name),
      inputs: n.inputs.map(inner),
      outputs: n.outputs.map(inner),
    });
  }
  for (const init of oneStep.initializers)
    body.initializers.push({ ...init, name: inner(init.name) });
  const carriedNames = new Set(carried.map((t) => `${t.name}.new`));
  const next = carried.map((t) => oneStep.outputs.find((o) => o.name === `${t.name}.new`)!);
  const scans = oneStep.outputs.filter((o) => !carriedNames.has(o.name));
  body.outputs.push(
    condOut,
    ...[...next, ...scans].map((t) => new Tensor(body, inner(t.name), t.shape, t.dtype)),
  );

  // Trip count = len(lr): Shape gives [K] as a 1-element tensor, Loop wants a scalar.
  const [kShape] = g.emit('Shape', [outer.get(lr.name)!], [{ shape: [1], dtype: 'int64' }]);
  const [trips] = g.emit(
    'Reshape',
    [kShape!, g.constant([], 'int64', [0])],
    [{ shape: [], dtype: 'int64' }],
  );
  const result = loop(g, {
    tripCount: trips!,
    carried: carried.map((t) => outer.get(t.name)!),
    body,
    iterations: STEPS_DIM,
  });
  result.carried.forEach((t, i) => {
    g.output(t, next[i]!.name);
  });
  result.scans.forEach((t, i) => {
    g.output(t, scans[i]!.name);
  });
  return g;
}
