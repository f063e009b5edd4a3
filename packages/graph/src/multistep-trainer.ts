/**
 * The step loop over the multi-step training graph (multistep.ts): one `run` makes K updates.
 * Carried state follows Trainer's discipline (trainer.ts): parameters, slots and EMA live as ort
 * tensors in `feeds`, the `<name>.new` outputs become the next run's inputs as they are (no copies
 * in JS), and values are copied out only by `snapshot`. The feeds are built as Trainer builds them;
 * the two should share that code once trainer.ts can change.
 */
import type * as ortTypes from 'onnxruntime-node';
import type { TrainingSpec, TrainingState } from './artifacts.js';
import { initialState } from './artifacts.js';
import { GraphError } from './errors.js';
import { buildMultiStepTrainingGraph, STEPS_DIM } from './multistep.js';
import { serialize } from './onnx/emit.js';
import type { ParamArray } from './params.js';
import { openSession, ort, type SessionOptions } from './run.js';
import type { Feed, TrainerInit } from './trainer.js';

export interface MultiStepResult {
  /** The loss of each of the K steps, in order. */
  readonly losses: readonly number[];
  /** The other per-step outputs (grad_norm, forward outputs) stacked: [K, ...]. */
  readonly outputs: Readonly<Record<string, Feed>>;
}

export class MultiStepTrainer {
  private readonly carried: string[];
  private readonly feeds: Record<string, Feed> = {};
  private stepCount: number;
  /** Names of the per-step data inputs, each fed stacked as [K, ...one-step shape]. */
  readonly dataInputs: readonly string[];

  private constructor(
    readonly session: ortTypes.InferenceSession,
    private readonly init: TrainerInit,
  ) {
    this.stepCount = init.state.step;
    const F = init.dtype;
    const shapes = new Map<string, readonly number[]>();
    for (const [name, p] of init.params) {
      shapes.set(name, p.shape);
      this.feeds[name] = new ort.Tensor(F, p.value.slice(), [...p.shape]);
    }
    for (const [key, v] of init.state.slots) {
      const owner = key.slice(0, key.lastIndexOf('.'));
      this.feeds[key] = new ort.Tensor(F, v.slice(), [...shapes.get(owner)!]);
    }
    for (const [name, v] of init.state.ema)
      this.feeds[`${name}.ema`] = new ort.Tensor(F, v.slice(), [...shapes.get(name)!]);
    this.carried = session.inputNames.filter((n) => n in this.feeds);
    const missing = this.carried.filter((n) => !session.outputNames.includes(`${n}.new`));
    if (missing.length > 0) {
      throw new GraphError(
        'invalid_artifacts',
        `MultiStepTrainer: the model has no outputs for ${missing.map((n) => `${n}.new`).join(', ')}`,
      );
    }
    this.dataInputs = session.inputNames.filter(
      (n) => !(n in this.feeds) && n !== 'lr' && n !== 'step',
    );
  }

  /** A trainer over a serialised multi-step graph (from `buildMultiStepTrainingGraph`). */
  static async create(
    model: Uint8Array | string,
    init: TrainerInit,
    options: SessionOptions = {},
  ): Promise<MultiStepTrainer> {
    return new MultiStepTrainer(await openSession(model, options), init);
  }

  /** Number of updates made so far (the checkpoint's step). */
  get step(): number {
    return this.stepCount;
  }

  /**
   * `lrs.length` updates in one session run; `steps` gives every data input stacked over those
   * steps ([K, ...], see `stackSteps`). Equal, bit for bit, to K `Trainer.run` calls.
   */
  async run(
    steps: Readonly<Record<string, Feed>>,
    lrs: readonly number[],
  ): Promise<MultiStepResult> {
    const K = lrs.length;
    if (K < 1) throw new GraphError('invalid_argument', 'MultiStepTrainer.run: `lrs` is empty');
    this.checkSteps(steps, K);
    const F = this.init.dtype === 'float32' ? Float32Array : Float64Array;
    const feeds: Record<string, Feed> = {
      ...this.feeds,
      ...steps,
      lr: new ort.Tensor(this.init.dtype, F.from(lrs), [K]),
      step: new ort.Tensor('int64', BigInt64Array.of(BigInt(this.stepCount + 1)), []),
    };
    const out = await this.session.run(feeds);
    for (const n of this.carried) this.feeds[n] = out[`${n}.new`]!;
    this.stepCount += K;
    const outputs: Record<string, Feed> = {};
    for (const [k, v] of Object.entries(out)) if (!k.endsWith('.new')) outputs[k] = v;
    return { losses: Array.from(out.loss!.data as ParamArray, Number), outputs };
  }

  /** Every data input present, of the declared dtype and rank, with K steps on its first axis. */
  private checkSteps(steps: Readonly<Record<string, Feed>>, K: number): void {
    const symbols = new Map<string, number>([[STEPS_DIM, K]]);
    this.session.inputMetadata.forEach((meta, i) => {
      const name = this.session.inputNames[i]!;
      if (!this.dataInputs.includes(name) || !meta.isTensor) return;
      const got = steps[name];
      if (got === undefined) {
        throw new GraphError(
          'invalid_argument',
          `MultiStepTrainer.run: steps is missing input '${name}' (needs ${this.dataInputs.join(', ')})`,
        );
      }
      const want = `${meta.type}[${meta.shape.join(', ')}] with ${STEPS_DIM} = ${K} (lrs.length)`;
      const ok =
        got.type === meta.type &&
        got.dims.length === meta.shape.length &&
        meta.shape.every((d, k) => {
          const v = got.dims[k]!;
          if (typeof d === 'number') return d === v;
          if ((symbols.get(d) ?? v) !== v) return false;
          symbols.set(d, v);
          return true;
        });
      if (!ok) {
        throw new GraphError(
          'shape_mismatch',
          `MultiStepTrainer.run: input '${name}' expects ${want}, got ${got.type}[${got.dims.join(', ')}]`,
        );
      }
    });
  }

  /** Current carried value (parameter `<name>`, state `<name>.m`, EMA `<name>.ema`). */
  tensor(name: string): Feed {
    const t = this.feeds[name];
    if (!t)
      throw new GraphError(
        'unknown_tensor',
        `MultiStepTrainer.tensor: no carried tensor '${name}'`,
      );
    return t;
  }

  /** Copy out parameters and state (for checkpoints, writeArtifacts, Params.set). */
  snapshot(): { params: Map<string, ParamArray>; state: TrainingState } {
    const copy = (n: string) => (this.feeds[n]!.data as ParamArray).slice();
    const params = new Map([...this.init.params.keys()].map((n) => [n, copy(n)]));
    const slots = new Map([...this.init.state.slots.keys()].map((k) => [k, copy(k)]));
    const ema = new Map([...this.init.state.ema.keys()].map((n) => [n, copy(`${n}.ema`)]));
    return { params, state: { step: this.stepCount, slots, ema } };
  }

  async release(): Promise<void> {
    await this.session.release();
  }
}

/** A MultiStepTrainer over `spec`, starting from the registry's values and `state`. */
export async function createMultiStepTrainer(
  spec: TrainingSpec,
  options: SessionOptions = {},
  state?: TrainingState,
): Promise<MultiStepTrainer> {
  const graph = buildMultiStepTrainingGraph(spec);
  const names = graph.inputs.map((t) => t.name).filter((n) => spec.params.has(n));
  const params = new Map(
    names.map((n) => [n, { shape: spec.params.spec(n).shape, value: spec.params.value(n) }]),
  );
  return MultiStepTrainer.create(
    serialize(graph).model,
    { dtype: spec.params.dtype, params, state: state ?? initialState(spec, names) },
    options,
  );
}

type TypedData = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;

/**
 * Stack K steps' feeds (one record per step, as `Trainer.run` takes them) into the [K, ...] feeds
 * of `MultiStepTrainer.run`. Every step must give the same inputs with the same dtypes and dims.
 */
export function stackSteps(
  perStep: readonly Readonly<Record<string, Feed>>[],
): Record<string, Feed> {
  const first = perStep[0];
  if (!first) throw new GraphError('invalid_argument', 'stackSteps: no steps given');
  const out: Record<string, Feed> = {};
  for (const [name, t0] of Object.entries(first)) {
    const size = t0.data.length;
    const data0 = t0.data as TypedData;
    const Ctor = data0.constructor as new (n: number) => TypedData;
    const data = new Ctor(size * perStep.length);
    perStep.forEach((s, k) => {
      const t = s[name];
      if (!t || t.type !== t0.type || t.dims.join() !== t0.dims.join()) {
        throw new GraphError(
          'shape_mismatch',
          `stackSteps: step ${k} input '${name}' is ${t ? `${t.type}[${t.dims.join(', ')}]` : 'missing'}, step 0 has ${t0.type}[${t0.dims.join(', ')}]`,
        );
      }
      (data as Float32Array).set(t.data as Float32Array, k * size);
    });
    out[name] = new ort.Tensor(t0.type as 'float32', data as Float32Array, [
      perStep.length,
      ...t0.dims,
    ]);
  }
  return out;
}
