import { assertInClosedRange, assertNotNaN, assertTime, assertTimes, badTime } from './errors.js';
import { clamp, gammaOfLogSnr, logSnrOfGamma } from './math.js';
import { solveDecreasing } from './solve.js';

/** The typed arrays the vectorised forms read and write. */
export type FloatArray = Float64Array | Float32Array;

/** Which construction a schedule came from. */
export type ScheduleFamily =
  | 'linear'
  | 'cosine'
  | 'sigmoid'
  | 'cosineSimple'
  | 'iddpmCosine'
  | 'shiftedCosine'
  | 'interpolatedCosine'
  | 'lognormal'
  | 'laplace'
  | 'rectifiedFlow'
  | 'custom';

/** Coefficients of the forward process x_t = alpha·x0 + sigma·ε for data x0 ∈ [−1, 1]. */
export interface AlphaSigma {
  readonly alpha: number;
  readonly sigma: number;
}

/**
 * A continuous-time noise schedule on t ∈ [0, 1] (t = 0 clean, t = 1 pure noise).
 *
 * `gamma(t)` is the γ(t) of the paper: x_t = √γ · b · x0 + √(1 − γ) · ε, where b is the input scale
 * (1 unless the schedule was built by {@link withInputScale}). `logSnr(t)` = ln(b²γ / (1 − γ)).
 * Every method checks its argument and throws a `RangeError` naming it.
 */
export interface Schedule {
  /** Canonical spec string (see `parseSchedule`), or `undefined` for `fromLogSnr` schedules. */
  readonly spec: string | undefined;
  readonly family: ScheduleFamily;
  /** The input scale b; 1 for an unscaled schedule. */
  readonly inputScale: number;
  /** γ(t) ∈ [0, 1], decreasing in t. */
  gamma(t: number): number;
  /** ln(b²·γ(t) / (1 − γ(t))); +∞ where γ = 1. */
  logSnr(t: number): number;
  /** Forward-process coefficients (√γ·b, √(1 − γ)). */
  alphaSigma(t: number): AlphaSigma;
  /** γ at every element of `t`, written into `out` (a new Float64Array by default). */
  gammaArray<T extends FloatArray = Float64Array>(t: ArrayLike<number>, out?: T): T;
  /** logSNR at every element of `t`, written into `out` (a new Float64Array by default). */
  logSnrArray<T extends FloatArray = Float64Array>(t: ArrayLike<number>, out?: T): T;
  /**
   * The t with γ(t) = `gamma` (closed form where one exists, else bisection to 1e-12). Where γ is
   * clipped flat (γ = clipMin near t = 1) the inverse is not unique; any t on the flat part may come back.
   */
  tFromGamma(gamma: number): number;
  /** The t with logSnr(t) = `logSnr`; ±∞ and values outside the schedule's range map to 1 or 0. */
  tFromLogSnr(logSnr: number): number;
}

/**
 * What a schedule family provides. Unchecked functions of t ∈ [0, 1]; {@link defineSchedule} adds
 * argument checks and everything that can be derived.
 */
export interface ScheduleDefinition {
  readonly family: ScheduleFamily;
  readonly spec: string | undefined;
  gamma(t: number): number;
  /** Defaults to ln γ − ln(1 − γ). */
  logSnr?(t: number): number;
  /**
   * The family's own tight loop for γ over an array (the hot path of training and benchmarks).
   * It must check every t inline (`badTime`), so the array is read once. Defaults to a checked
   * call of `gamma` per element.
   */
  fillGamma?(t: ArrayLike<number>, out: FloatArray): void;
  /** Closed-form inverse of γ, given γ ∈ [0, 1]; defaults to bisection. */
  tFromGamma?(gamma: number): number;
  /** Closed-form inverse of logSNR; defaults to bisection on `logSnr`. */
  tFromLogSnr?(logSnr: number): number;
}

function allocate<T extends FloatArray>(length: number, out: T | undefined): T {
  if (out === undefined) return new Float64Array(length) as T;
  if (out.length !== length) {
    throw new RangeError(
      `\`out\` must have length ${length} (the length of \`t\`), got ${out.length}`,
    );
  }
  return out;
}

/** Builds a checked, immutable {@link Schedule} from a family definition. */
export function defineSchedule(def: ScheduleDefinition): Schedule {
  const gammaOf = def.gamma;
  const logSnrOf = def.logSnr ?? ((t: number) => logSnrOfGamma(gammaOf(t)));
  const fillGamma =
    def.fillGamma ??
    ((ts: ArrayLike<number>, out: FloatArray) => {
      for (let i = 0; i < ts.length; i++) {
        const t = ts[i]!;
        if (!(t >= 0 && t <= 1)) badTime(i, t);
        out[i] = gammaOf(t);
      }
    });
  const tFromGamma = def.tFromGamma ?? ((g: number) => solveDecreasing(gammaOf, g));
  const tFromLogSnr = def.tFromLogSnr ?? ((l: number) => solveDecreasing(logSnrOf, l));

  const schedule: Schedule = {
    spec: def.spec,
    family: def.family,
    inputScale: 1,
    gamma(t) {
      assertTime(t);
      return gammaOf(t);
    },
    logSnr(t) {
      assertTime(t);
      return logSnrOf(t);
    },
    alphaSigma(t) {
      assertTime(t);
      const g = gammaOf(t);
      return { alpha: Math.sqrt(g), sigma: Math.sqrt(1 - g) };
    },
    gammaArray(ts, out) {
      const result = allocate(ts.length, out);
      fillGamma(ts, result);
      return result;
    },
    logSnrArray(ts, out) {
      const result = allocate(ts.length, out);
      if (def.logSnr !== undefined) {
        assertTimes(ts);
        for (let i = 0; i < ts.length; i++) result[i] = logSnrOf(ts[i]!);
        return result;
      }
      // γ first (the family's tight loop), then ln(γ/(1 − γ)), in float64 even when `out` is
      // float32, so the float32 result is the rounded float64 value.
      const gammas = result instanceof Float64Array ? result : new Float64Array(ts.length);
      fillGamma(ts, gammas);
      for (let i = 0; i < ts.length; i++) {
        const g = gammas[i]!;
        result[i] = Math.log(g / (1 - g));
      }
      return result;
    },
    tFromGamma(g) {
      assertInClosedRange('gamma', g, 0, 1);
      return clamp(tFromGamma(g), 0, 1);
    },
    tFromLogSnr(l) {
      assertNotNaN('logSnr', l);
      if (l === Number.POSITIVE_INFINITY) return 0;
      if (l === Number.NEGATIVE_INFINITY) return 1;
      return clamp(tFromLogSnr(l), 0, 1);
    },
  };
  return Object.freeze(schedule);
}

/**
 * The γ of the variance-preserving process with the same logSNR: σ(logSnr(t)). Equal to γ(t) for an
 * unscaled schedule; for input scale b it is b²γ / (b²γ + 1 − γ), the signal fraction of x_t after
 * the theoretical variance normalisation. This is what discrete (diffusers) schedulers call ᾱ_t.
 */
export function equivalentGamma(schedule: Schedule, t: number): number {
  if (schedule.inputScale === 1) return schedule.gamma(t);
  return gammaOfLogSnr(schedule.logSnr(t));
}
