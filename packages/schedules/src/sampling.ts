/**
 * Sampler maths of the reference code (spec §3.2–§3.4) as pure functions over batch-major typed
 * arrays. A noise level γ is either one number for the whole batch or one per example
 * (`gamma.length` examples of `x.length / gamma.length` values each). Outputs have the type of the
 * first array argument unless `out` is given; arithmetic is float64.
 */
import { assertInClosedRange, assertInteger, assertPositive } from './errors.js';
import type { FloatArray } from './schedule.js';

/** One γ for the batch, or one per example. */
export type NoiseLevel = number | ArrayLike<number>;

/** What the network predicts. */
export type Prediction = 'eps' | 'x' | 'v';

function like<T extends FloatArray>(x: T, out: T | undefined, name = 'out'): T {
  if (out === undefined) return new (x.constructor as new (n: number) => T)(x.length);
  if (out.length !== x.length)
    throw new RangeError(`\`${name}\` must have length ${x.length}, got ${out.length}`);
  return out;
}

function sameLength(name: string, a: ArrayLike<number>, b: ArrayLike<number>): void {
  if (a.length !== b.length) {
    throw new RangeError(
      `\`${name}\` must have the length of \`x\` (${a.length}), got ${b.length}`,
    );
  }
}

/** Expands a noise level to per-example values and the example size. */
function levels(
  name: string,
  gamma: NoiseLevel,
  length: number,
): { values: ArrayLike<number>; size: number } {
  const values = typeof gamma === 'number' ? [gamma] : gamma;
  if (values.length === 0 || length % values.length !== 0) {
    throw new RangeError(
      `\`${name}\` must be a number or have one value per example (a divisor of ${length}), got length ${values.length}`,
    );
  }
  for (let i = 0; i < values.length; i++)
    assertInClosedRange(typeof gamma === 'number' ? name : `${name}[${i}]`, values[i]!, 0, 1);
  return { values, size: length / values.length };
}

/** Applies f(i, γ) for every element i with its example's γ. */
function perElement(
  name: string,
  gamma: NoiseLevel,
  length: number,
  f: (i: number, g: number) => void,
): void {
  const { values, size } = levels(name, gamma, length);
  for (let b = 0; b < values.length; b++) {
    const g = values[b]!;
    const end = (b + 1) * size;
    for (let i = b * size; i < end; i++) f(i, g);
  }
}

/**
 * r[i] = f(a[i], b[i], γ of i's example): the shape of every conversion below, with the length
 * and noise-level checks in one place.
 */
function combine<T extends FloatArray>(
  a: T,
  b: ArrayLike<number>,
  bName: string,
  gamma: NoiseLevel,
  out: T | undefined,
  f: (a: number, b: number, g: number) => number,
): T {
  sameLength(bName, a, b);
  const r = like(a, out);
  perElement('gamma', gamma, a.length, (i, g) => {
    r[i] = f(a[i]!, b[i]!, g);
  });
  return r;
}

/** x̂0 = (x_t − √(1−γ)·ε̂) / √γ. */
export function x0FromEps<T extends FloatArray>(
  xt: T,
  eps: ArrayLike<number>,
  gamma: NoiseLevel,
  out?: T,
): T {
  return combine(
    xt,
    eps,
    'eps',
    gamma,
    out,
    (x, e, g) => (x - Math.sqrt(1 - g) * e) / Math.sqrt(g),
  );
}

/** ε̂ = (x_t − √γ·x̂0) / √(1−γ). */
export function epsFromX0<T extends FloatArray>(
  xt: T,
  x0: ArrayLike<number>,
  gamma: NoiseLevel,
  out?: T,
): T {
  return combine(
    xt,
    x0,
    'x0',
    gamma,
    out,
    (x, x0i, g) => (x - Math.sqrt(g) * x0i) / Math.sqrt(1 - g),
  );
}

/** x̂0 = √γ·x_t − √(1−γ)·v̂. */
export function x0FromV<T extends FloatArray>(
  xt: T,
  v: ArrayLike<number>,
  gamma: NoiseLevel,
  out?: T,
): T {
  return combine(xt, v, 'v', gamma, out, (x, vi, g) => Math.sqrt(g) * x - Math.sqrt(1 - g) * vi);
}

/** ε̂ = √(1−γ)·x_t + √γ·v̂. */
export function epsFromV<T extends FloatArray>(
  xt: T,
  v: ArrayLike<number>,
  gamma: NoiseLevel,
  out?: T,
): T {
  return combine(xt, v, 'v', gamma, out, (x, vi, g) => Math.sqrt(1 - g) * x + Math.sqrt(g) * vi);
}

/** The v target of a clean x0 and noise ε: v = √γ·ε − √(1−γ)·x0. */
export function vFromX0Eps<T extends FloatArray>(
  x0: T,
  eps: ArrayLike<number>,
  gamma: NoiseLevel,
  out?: T,
): T {
  return combine(x0, eps, 'eps', gamma, out, (x, e, g) => Math.sqrt(g) * e - Math.sqrt(1 - g) * x);
}

/** Clips x̂0 to [−b, b] (the reference code's `x0_clip='auto'`, b = input scale). */
export function clipX0<T extends FloatArray>(x0: T, b: number, out?: T): T {
  assertPositive('b', b);
  const r = like(x0, out);
  for (let i = 0; i < x0.length; i++) {
    const v = x0[i]!;
    r[i] = v < -b ? -b : v > b ? b : v;
  }
  return r;
}

export interface X0Eps<T extends FloatArray> {
  readonly x0: T;
  readonly eps: T;
}

export interface PredictionInput<T extends FloatArray> {
  /** The (unnormalised) sampler state x_t. */
  readonly xt: T;
  /** The network output. */
  readonly prediction: ArrayLike<number>;
  readonly gamma: NoiseLevel;
  readonly predict: Prediction;
  /** Clip x̂0 to [−clip, clip]; omit for no clipping. */
  readonly clip?: number;
  /**
   * Re-derive ε̂ from the clipped x̂0 (the reference code does at sampling, not in training).
   * For `predict: 'x'` ε̂ is always derived from x̂0.
   */
  readonly truncateNoise?: boolean;
}

/** The reference code's `get_x0_eps`: the (x̂0, ε̂) pair behind a network output (spec §3.2). */
export function predictionToX0Eps<T extends FloatArray>(input: PredictionInput<T>): X0Eps<T> {
  const { xt, prediction, gamma, predict, clip, truncateNoise = false } = input;
  sameLength('prediction', xt, prediction);
  const maybeClip = (x0: T): T => (clip === undefined ? x0 : clipX0(x0, clip, x0));
  switch (predict) {
    case 'eps': {
      const eps = like(xt, undefined);
      for (let i = 0; i < xt.length; i++) eps[i] = prediction[i]!;
      const x0 = maybeClip(x0FromEps(xt, eps, gamma));
      return { x0, eps: truncateNoise ? epsFromX0(xt, x0, gamma, eps) : eps };
    }
    case 'x': {
      const x0 = like(xt, undefined);
      for (let i = 0; i < xt.length; i++) x0[i] = prediction[i]!;
      maybeClip(x0);
      return { x0, eps: epsFromX0(xt, x0, gamma) };
    }
    case 'v': {
      const x0 = maybeClip(x0FromV(xt, prediction, gamma));
      const eps = truncateNoise ? epsFromX0(xt, x0, gamma) : epsFromV(xt, prediction, gamma);
      return { x0, eps };
    }
    default:
      throw new RangeError(`\`predict\` must be 'eps', 'x' or 'v', got ${JSON.stringify(predict)}`);
  }
}

export interface DdimStepInput<T extends FloatArray> {
  readonly x0: T;
  readonly eps: ArrayLike<number>;
  /** γ at t_next (the less noisy time). */
  readonly gammaNext: NoiseLevel;
}

/** DDIM (η = 0): x_next = √γ_next·x̂0 + √(1 − γ_next)·ε̂. */
export function ddimStep<T extends FloatArray>(input: DdimStepInput<T>, out?: T): T {
  const { x0, eps, gammaNext } = input;
  sameLength('eps', x0, eps);
  const r = like(x0, out);
  perElement('gammaNext', gammaNext, x0.length, (i, g) => {
    r[i] = x0[i]! * Math.sqrt(g) + eps[i]! * Math.sqrt(1 - g);
  });
  return r;
}

/** DDPM posterior variance: "large" σ² = 1 − α (the papers' FIDs), "small" σ² = (1−γ_next)/(1−γ_now)·(1 − α). */
export type DdpmVariance = 'large' | 'small';

export interface DdpmStepInput<T extends FloatArray> {
  readonly xt: T;
  /** ε̂, re-derived from the clipped x̂0 at sampling time. */
  readonly eps: ArrayLike<number>;
  readonly gammaNow: NoiseLevel;
  readonly gammaNext: NoiseLevel;
  readonly variance?: DdpmVariance;
  /** Standard normal z, same length as x_t: randomness is passed in, never drawn here. */
  readonly noise: ArrayLike<number>;
}

/**
 * Ancestral DDPM step of the reference `transition_step` (spec §3.3):
 * α = clip(exp(ln γ_now − ln γ_next), 0, 1), μ = (x_t − (1 − α)/√(1 − γ_now)·ε̂)/√α, x = μ + σ·z.
 */
export function ddpmStep<T extends FloatArray>(input: DdpmStepInput<T>, out?: T): T {
  const { xt, eps, gammaNow, gammaNext, noise, variance = 'large' } = input;
  if (variance !== 'large' && variance !== 'small') {
    throw new RangeError(
      `\`variance\` must be 'large' or 'small', got ${JSON.stringify(variance)}`,
    );
  }
  sameLength('eps', xt, eps);
  sameLength('noise', xt, noise);
  const now = levels('gammaNow', gammaNow, xt.length);
  const next = levels('gammaNext', gammaNext, xt.length);
  const r = like(xt, out);
  for (let i = 0; i < xt.length; i++) {
    const gNow = now.values[Math.floor(i / now.size)]!;
    const gNext = next.values[Math.floor(i / next.size)]!;
    const alpha = Math.min(Math.max(Math.exp(Math.log(gNow) - Math.log(gNext)), 0), 1);
    const mean = (xt[i]! - ((1 - alpha) / Math.sqrt(1 - gNow)) * eps[i]!) / Math.sqrt(alpha);
    const sigma2 =
      variance === 'large'
        ? 1 - alpha
        : Math.exp(Math.log1p(-gNext) - Math.log1p(-gNow)) * (1 - alpha);
    r[i] = mean + Math.sqrt(sigma2) * noise[i]!;
  }
  return r;
}

/** Classifier-free guidance: (1 + w)·cond − w·uncond. */
export function guide<T extends FloatArray>(
  cond: T,
  uncond: ArrayLike<number>,
  w: number,
  out?: T,
): T {
  sameLength('uncond', cond, uncond);
  if (!Number.isFinite(w)) throw new RangeError(`\`w\` must be a finite number, got ${w}`);
  const r = like(cond, out);
  for (let i = 0; i < cond.length; i++) r[i] = (1 + w) * cond[i]! - w * uncond[i]!;
  return r;
}

export interface TimeGrid {
  /** t_now(i) = 1 − i/N. */
  readonly tNow: Float64Array;
  /** t_next(i) = max(1 − (i + 1 + td)/N, 0). */
  readonly tNext: Float64Array;
}

/** Algorithm 3's uniform time grid with the reference code's `td` offset (spec §3.4). */
export function timeGrid(steps: number, td = 0): TimeGrid {
  assertInteger('steps', steps, 1);
  if (!Number.isFinite(td)) throw new RangeError(`\`td\` must be a finite number, got ${td}`);
  const tNow = new Float64Array(steps);
  const tNext = new Float64Array(steps);
  for (let i = 0; i < steps; i++) {
    tNow[i] = 1 - i / steps;
    tNext[i] = Math.max(1 - (i + 1 + td) / steps, 0);
  }
  return { tNow, tNext };
}
