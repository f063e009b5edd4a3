/**
 * One onnxruntime session over a fused training graph, stepped with its state carried:
 * parameters, optimizer moments and EMA live as onnxruntime tensors in `feeds`; after each run
 * the `<name>.new` outputs become the next inputs (the same ort.Tensor objects, no copies in JS).
 * Values are copied out only by `snapshot`.
 *
 * Two artifacts share this discipline: the one-step graph (@ns/graph's buildTrainingGraph), run
 * by `run(batch, lr)`, and the K-steps-per-run Loop graph (buildMultiStepTrainingGraph), run by
 * `runSteps(steps, lrs)` with every data input stacked over the K steps — on a GPU the carried
 * state then crosses the bus once per K steps. The two are equal bit for bit.
 */
import {
  buildMultiStepTrainingGraph,
  buildTrainingGraph,
  type FloatDType,
  GraphError,
  initialState,
  openSession,
  ort,
  type ParamArray,
  type SessionOptions,
  STEPS_DIM,
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

export interface MultiStepResult {
  /** The loss of each of the K steps, in order. */
  readonly losses: readonly number[];
  /** The other per-step outputs (grad_norm, forward outputs) stacked: [K, ...]. */
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
  /** Names of the per-step data inputs (everything not carried, lr or step). */
  readonly dataInputs: readonly string[];
  /** 1 for the one-step graph; 'K' for the Loop graph, whose runs make lrs.length updates. */
  readonly stepsPerRun: 1 | 'K';

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
    if (missing.length > 0) {
      throw new GraphError(
        'invalid_artifacts',
        `StepSession: the training model has no outputs for ${missing.map((n) => `${n}.new`).join(', ')}`,
      );
    }
    this.dataInputs = session.inputNames.filter(
      (n) => !(n in this.feeds) && n !== 'lr' && n !== 'step',
    );
    const lr = session.inputMetadata[session.inputNames.indexOf('lr')];
    this.stepsPerRun = lr?.isTensor && lr.shape.length === 1 ? 'K' : 1;
  }

  /** A session over `model` (bytes or a .onnx path) starting from `init`. */
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

  /** One update with learning rate `lr`; `batch` gives every data input (one-step graph). */
  async run(batch: Readonly<Record<string, Feed>>, lr: number): Promise<StepResult> {
    this.requireKind(1, 'run');
    this.checkInputs(batch, new Map(), 'run', 'batch');
    const out = await this.advance(batch, [lr]);
    const outputs: Record<string, Feed> = {};
    for (const [k, v] of Object.entries(out)) if (!k.endsWith('.new')) outputs[k] = v;
    return { loss: Number(out.loss!.data[0]), outputs };
  }

  /**
   * `lrs.length` updates in one session run (Loop graph); `steps` gives every data input stacked
   * over those steps ([K, ...], see `stackSteps`). Equal, bit for bit, to K one-step runs.
   */
  async runSteps(
    steps: Readonly<Record<string, Feed>>,
    lrs: readonly number[],
  ): Promise<MultiStepResult> {
    this.requireKind('K', 'runSteps');
    if (lrs.length < 1)
      throw new GraphError('invalid_argument', 'StepSession.runSteps: `lrs` is empty');
    this.checkInputs(steps, new Map([[STEPS_DIM, lrs.length]]), 'runSteps', 'steps');
    const out = await this.advance(steps, lrs);
    const outputs: Record<string, Feed> = {};
    for (const [k, v] of Object.entries(out)) if (!k.endsWith('.new')) outputs[k] = v;
    return { losses: Array.from(out.loss!.data as ParamArray, Number), outputs };
  }

  private async advance(data: Readonly<Record<string, Feed>>, lrs: readonly number[]) {
    const F = this.init.dtype === 'float32' ? Float32Array : Float64Array;
    const out = await this.session.run({
      ...this.feeds,
      ...data,
      lr: new ort.Tensor(this.init.dtype, F.from(lrs), this.stepsPerRun === 1 ? [] : [lrs.length]),
      step: new ort.Tensor('int64', BigInt64Array.of(BigInt(this.stepCount + 1)), []),
    });
    for (const n of this.carried) this.feeds[n] = out[`${n}.new`]!;
    this.stepCount += lrs.length;
    return out;
  }

  private requireKind(kind: 1 | 'K', method: string): void {
    if (this.stepsPerRun !== kind) {
      throw new GraphError(
        'invalid_argument',
        `StepSession.${method}: this is a ${this.stepsPerRun === 1 ? 'one-step' : 'K-step (Loop)'} training model; use ${this.stepsPerRun === 1 ? 'run' : 'runSteps'}`,
      );
    }
  }

  /** Every data input present, of the declared dtype and shape (symbolic dims consistent). */
  private checkInputs(
    given: Readonly<Record<string, Feed>>,
    symbols: Map<string, number>,
    method: string,
    what: string,
  ): void {
    for (const n of this.dataInputs) {
      if (!(n in given))
        throw new GraphError(
          'invalid_argument',
          `StepSession.${method}: ${what} is missing input '${n}' (needs ${this.dataInputs.join(', ')})`,
        );
    }
    // Only the dims the caller fixed (K) are named; the others are learnt from the first input.
    const fixed = [...symbols].map(([d, v]) => ` with ${d} = ${v}`).join('');
    this.session.inputMetadata.forEach((meta, i) => {
      const name = this.session.inputNames[i]!;
      if (!this.dataInputs.includes(name) || !meta.isTensor) return;
      const got = given[name]!;
      const fail = () => {
        throw new GraphError(
          'shape_mismatch',
          `StepSession.${method}: input '${name}' expects ${meta.type}[${meta.shape.join(', ')}]${fixed}, got ${got.type}[${got.dims.join(', ')}]`,
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

/**
 * A StepSession over `spec`'s training graph (`stepsPerRun: 'K'` for the Loop graph), starting
 * from the registry's values and `state`.
 */
export async function createStepSession(
  spec: TrainingSpec,
  options: SessionOptions & { readonly stepsPerRun?: 1 | 'K' } = {},
  state?: TrainingState,
): Promise<StepSession> {
  const { stepsPerRun = 1, ...sessionOptions } = options;
  const graph = stepsPerRun === 1 ? buildTrainingGraph(spec) : buildMultiStepTrainingGraph(spec);
  const names = graph.inputs.map((t) => t.name).filter((n) => spec.params.has(n));
  const params = new Map(
    names.map((n) => [n, { shape: spec.params.spec(n).shape, value: spec.params.value(n) }]),
  );
  return StepSession.create(
    serialize(graph).model,
    { dtype: spec.params.dtype, params, state: state ?? initialState(spec, names) },
    sessionOptions,
  );
}

/** Copies a session's parameters into the spec's registry; returns its optimizer state and EMA. */
export function commitStepSession(spec: TrainingSpec, session: StepSession): TrainingState {
  const snap = session.snapshot();
  for (const [n, v] of snap.params) spec.params.set(n, v);
  return snap.state;
}

type TypedData = Float32Array | Float64Array | BigInt64Array | Int32Array | Uint8Array;

/**
 * Stacks K steps' feeds (one record per step, as `run` takes them) into the [K, ...] feeds of
 * `runSteps`. Every step must give the same inputs with the same dtypes and dims.
 */
export function stackSteps(
  perStep: readonly Readonly<Record<string, Feed>>[],
): Record<string, Feed> {
  const first = perStep[0];
  if (!first) throw new GraphError('invalid_argument', 'stackSteps: no steps given');
  const out: Record<string, Feed> = {};
  for (const [name, t0] of Object.entries(first)) {
    const size = t0.data.length;
    const Ctor = (t0.data as TypedData).constructor as new (n: number) => TypedData;
    const data = new Ctor(size * perStep.length);
    perStep.forEach((s, k) => {
      const t = s[name];
      if (!t || t.type !== t0.type || t.dims.join() !== t0.dims.join()) {
        throw new GraphError(
          'shape_mismatch',
          `stackSteps: step ${k} input '${name}' is ${t ? `${t.type}[${t.dims.join(', ')}]` : 'missing'}, step 0 has ${t0.type}[${t0.dims.join(', ')}]`,
        );
      }
      (data as unknown as { set(a: ArrayLike<unknown>, o: number): void }).set(
        t.data as TypedData,
        k * size,
      );
    });
    out[name] = new ort.Tensor(t0.type as never, data as never, [perStep.length, ...t0.dims]);
  }
  return out;
}
