import { assertInClosedRange, assertNotNaN, assertPositive } from './errors.js';
import { formatNumber } from './families/common.js';
import { clamp } from './math.js';
import type { FloatArray, Schedule } from './schedule.js';

/** Scaled schedule → its unscaled base, so scales compose instead of nesting. */
const unscaled = new WeakMap<Schedule, Schedule>();

/**
 * Input scaling (Chen 2023 §2, "Strategy 2"): x_t = √γ·b·x0 + √(1 − γ)·ε. γ(t) is unchanged; the
 * logSNR becomes the base logSNR + 2·ln b exactly (this is how it is computed). A smaller b means
 * noisier training. Scaling a scaled schedule multiplies the scales.
 */
export function withInputScale(schedule: Schedule, b: number): Schedule {
  assertPositive('b', b);
  const base = unscaled.get(schedule) ?? schedule;
  const scale = schedule.inputScale * b;
  if (scale === 1) return base;
  const shift = 2 * Math.log(scale);
  const spec = base.spec === undefined ? undefined : `${base.spec}+scale=${formatNumber(scale)}`;

  const scaled: Schedule = Object.freeze({
    spec,
    family: base.family,
    inputScale: scale,
    gamma: (t: number) => base.gamma(t),
    logSnr: (t: number) => base.logSnr(t) + shift,
    alphaSigma(t: number) {
      const g = base.gamma(t);
      return { alpha: Math.sqrt(g) * scale, sigma: Math.sqrt(1 - g) };
    },
    gammaArray: <T extends FloatArray = Float64Array>(t: ArrayLike<number>, out?: T) =>
      base.gammaArray(t, out),
    logSnrArray<T extends FloatArray = Float64Array>(t: ArrayLike<number>, out?: T): T {
      // Shift in float64, then round once into a float32 `out`.
      const direct = out === undefined || out instanceof Float64Array;
      const values = direct ? base.logSnrArray(t, out) : base.logSnrArray(t);
      const result = (direct ? values : out) as T;
      if (result.length !== values.length) {
        throw new RangeError(
          `\`out\` must have length ${values.length} (the length of \`t\`), got ${result.length}`,
        );
      }
      for (let i = 0; i < values.length; i++) result[i] = values[i]! + shift;
      return result;
    },
    tFromGamma: (g: number) => base.tFromGamma(g),
    tFromLogSnr(l: number) {
      assertNotNaN('logSnr', l);
      return clamp(base.tFromLogSnr(l - shift), 0, 1);
    },
  });
  unscaled.set(scaled, base);
  return scaled;
}

/** The unscaled schedule behind a scaled one (the schedule itself when b = 1). */
export function baseSchedule(schedule: Schedule): Schedule {
  return unscaled.get(schedule) ?? schedule;
}

/**
 * The theoretical variance normaliser 1/√((b² − 1)·γ + 1): x_t times it has unit variance when x0
 * does. (The paper prints the factor without the square root, a typo: Var[x_t] = (b² − 1)γ + 1.)
 * The paper and reference code normalise by the empirical std instead; see {@link normalizeVariance}.
 */
export function varianceNormalizer(gamma: number, b: number): number {
  assertInClosedRange('gamma', gamma, 0, 1);
  assertPositive('b', b);
  return 1 / Math.sqrt((b * b - 1) * gamma + 1);
}

/**
 * Algorithm 2/3's normalisation, as the reference code does it: each example of `x` (batch-major,
 * `batch` examples of equal size) divided by its population standard deviation over H·W·C, no
 * epsilon. Returns a new array of the same type unless `out` is given.
 */
export function normalizeVariance<T extends FloatArray>(x: T, batch: number, out?: T): T {
  if (!(Number.isInteger(batch) && batch >= 1 && x.length % batch === 0)) {
    throw new RangeError(
      `\`batch\` must be a positive integer dividing x.length (${x.length}), got ${batch}`,
    );
  }
  const result = out ?? new (x.constructor as new (n: number) => T)(x.length);
  const size = x.length / batch;
  for (let b = 0; b < batch; b++) {
    const offset = b * size;
    let mean = 0;
    for (let i = 0; i < size; i++) mean += x[offset + i]!;
    mean /= size;
    let sumSquares = 0;
    for (let i = 0; i < size; i++) {
      const d = x[offset + i]! - mean;
      sumSquares += d * d;
    }
    const inverseStd = 1 / Math.sqrt(sumSquares / size);
    for (let i = 0; i < size; i++) result[offset + i] = x[offset + i]! * inverseStd;
  }
  return result;
}
