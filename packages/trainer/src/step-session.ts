/**
 * One onnxruntime session over a fused training graph (@ns/graph's buildTrainingGraph), stepped
 * with its state carried: parameters, optimizer moments and EMA live as onnxruntime tensors in
 * `feeds`; after each run the `<name>.new` outputs become the next inputs (the same ort.Tensor
 * objects, no copies in JS). Values are copied out only by `snapshot`.
 */
import {
  buildTrainingGraph,
  type FloatDType,
  GraphError,
  initialState,
  openSession,
  ort,
  type ParamArray,
  type SessionOptions,
  serialize,
  type TrainingSpec,
  type TrainingState,
} from '@ns/graph';

export type Feed = InstanceType<typeof ort.Tensor>;
type Session = Awaited<ReturnType<typeof openSession>>;

export interface StepResult {
  readonly loss: number;
  /** Forward outputs of the training graph (and grad_norm when clipping), as ort tensors. */
  readonly outputs: Readonly<Record<string, Feed>>;
}

export interface StepSessionInit {
  readonly dtype: FloatDType;
  readonly params: ReadonlyMap<string, { shape: readonly number[]; value: ParamArray }>;
  readonly state: TrainingState;
}

export class StepSession {
  private readonly carried: string[];
  private readonly feeds: Record<string, Feed> = {};
  private stepCount: number;

  private constructor(
    readonly session: Session,
    private readonly init: StepSessionInit,
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
    // Every carried input must come back as `<name>.new`.
    this.carried = session.inputNames.filter((n) => n in this.feeds);
    const missing = this.carried.filter((n) => !session.outputNames.includes(`${n}.new`));
    const unfed = session.inputNames.filter(
      (n) => !(n in this.feeds) && n !== 'lr' && n !== 'step',
    );
    if (missing.length > 0) {
      throw new GraphError(
        'invalid_artifacts',
        `StepSession: the training model has no outputs for ${missing.map((n) => `${n}.new`).join(', ')}`,
      );
    }
    this.dataInputs = unfed;
  }

  /** Names of the per-step data inputs (everything not carried, lr or step). */
  readonly dataInputs: readonly string[];

  /** A session over `model` (bytes or a training_model.onnx path) starting from `init`. */
  static async create(
    model: Uint8Array | string,
    init: StepSessionInit,
    options: SessionOptions = {},
  ): Promise<StepSession> {
    return new StepSession(await openSession(model, options), init);
  }

  /** Number of updates made so far (the checkpoint's step). */
  get step(): number {
    return this.stepCount;
  }

  /** One update with learning rate `lr`; `batch` gives every data input. */
  async run(batch: Readonly<Record<string, Feed>>, lr: number): Promise<StepResult> {
    for (const n of this.dataInputs) {
      if (!(n in batch))
        throw new GraphError(
          'invalid_argument',
          `StepSession.run: batch is missing input '${n}' (needs ${this.dataInputs.join(', ')})`,
        );
    }
    this.checkBatch(batch);
    const F = this.init.dtype === 'float32' ? Float32Array : Float64Array;
    const feeds: Record<string, Feed> = {
      ...this.feeds,
      ...batch,
      lr: new ort.Tensor(this.init.dtype, F.of(lr), []),
      step: new ort.Tensor('int64', BigInt64Array.of(BigInt(this.stepCount + 1)), []),
    };
    const out = await this.session.run(feeds);
    for (const n of this.carried) this.feeds[n] = out[`${n}.new`]!;
    this.stepCount++;
    const outputs: Record<string, Feed> = {};
    for (const [k, v] of Object.entries(out)) if (!k.endsWith('.new')) outputs[k] = v;
    return { loss: Number(out.loss!.data[0]), outputs };
  }

  /** Dtype and shape of each data input against the model's declaration (symbols consistent). */
  private checkBatch(batch: Readonly<Record<string, Feed>>): void {
    const symbols = new Map<string, number>();
    this.session.inputMetadata.forEach((meta, i) => {
      const name = this.session.inputNames[i]!;
      if (!this.dataInputs.includes(name) || !meta.isTensor) return;
      const got = batch[name]!;
      const want = `${meta.type}[${meta.shape.join(', ')}]`;
      const fail = () => {
        throw new GraphError(
          'shape_mismatch',
          `StepSession.run: input '${name}' expects ${want}, got ${got.type}[${got.dims.join(', ')}]`,
        );
      };
      if (got.type !== meta.type || got.dims.length !== meta.shape.length) fail();
      meta.shape.forEach((d, k) => {
        const v = got.dims[k]!;
        if (typeof d === 'number') {
          if (d !== v) fail();
        } else if ((symbols.get(d) ?? v) !== v) fail();
        else symbols.set(d, v);
      });
    });
  }

  /** Current carried value (parameter `<name>`, state `<name>.m`, EMA `<name>.ema`). */
  tensor(name: string): Feed {
    const t = this.feeds[name];
    if (!t)
      throw new GraphError('unknown_tensor', `StepSession.tensor: no carried tensor '${name}'`);
    return t;
  }

  /** Copies out parameters and state (for a checkpoint, or Params.set). */
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

/** A StepSession over `spec`'s training graph, starting from the registry's values and `state`. */
export async function createStepSession(
  spec: TrainingSpec,
  options: SessionOptions = {},
  state?: TrainingState,
): Promise<StepSession> {
  const training = buildTrainingGraph(spec);
  const names = training.inputs.map((t) => t.name).filter((n) => spec.params.has(n));
  const params = new Map(
    names.map((n) => [n, { shape: spec.params.spec(n).shape, value: spec.params.value(n) }]),
  );
  return StepSession.create(
    serialize(training).model,
    { dtype: spec.params.dtype, params, state: state ?? initialState(spec, names) },
    options,
  );
}

/** Copies a session's parameters into the spec's registry; returns its optimizer state and EMA. */
export function commitStepSession(spec: TrainingSpec, session: StepSession): TrainingState {
  const snap = session.snapshot();
  for (const [n, v] of snap.params) spec.params.set(n, v);
  return snap.state;
}
