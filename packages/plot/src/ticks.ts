/** Axis ranges and "nice" tick values (1, 2 or 5 times a power of ten). */
import type { AxisRange } from './types.js';

/** A tick step written as `mantissa × 10^exponent` with mantissa 1, 2 or 5. */
export interface NiceStep {
  readonly mantissa: 1 | 2 | 5;
  readonly exponent: number;
  readonly value: number;
}

export interface Ticks {
  readonly step: NiceStep;
  /** Multiples of the step inside the range, ascending. */
  readonly values: readonly number[];
}

/** Fraction of the data span added on each side of an auto range, so lines don't sit on the frame. */
const AUTO_RANGE_PADDING = 0.04;

function checkRange(range: AxisRange, what: string): void {
  if (!Number.isFinite(range.min) || !Number.isFinite(range.max) || !(range.min < range.max)) {
    throw new RangeError(
      `${what}: expected finite min < max, got min=${range.min}, max=${range.max}`,
    );
  }
}

/** The 1-2-5 step that splits `span` into about `targetCount` intervals. */
export function niceStep(span: number, targetCount: number): NiceStep {
  if (!(Number.isFinite(span) && span > 0)) {
    throw new RangeError(`niceStep: span must be a finite number > 0, got ${span}`);
  }
  if (!(Number.isFinite(targetCount) && targetCount >= 1)) {
    throw new RangeError(`niceStep: targetCount must be >= 1, got ${targetCount}`);
  }
  const raw = span / targetCount;
  let exponent = Math.floor(Math.log10(raw));
  const normalised = raw / 10 ** exponent;
  let mantissa: 1 | 2 | 5;
  if (normalised < 1.5) mantissa = 1;
  else if (normalised < 3.5) mantissa = 2;
  else if (normalised < 7.5) mantissa = 5;
  else {
    mantissa = 1;
    exponent += 1;
  }
  return { mantissa, exponent, value: stepMultiple(1, mantissa, exponent) };
}

// i × mantissa × 10^exponent, computed so that e.g. 3 × 0.1 gives 0.3 and not 0.30000000000000004:
// dividing an exact integer by an exact power of ten rounds correctly once.
function stepMultiple(i: number, mantissa: number, exponent: number): number {
  return exponent >= 0 ? i * mantissa * 10 ** exponent : (i * mantissa) / 10 ** -exponent;
}

/** Nice tick values inside `range`, about `targetCount` intervals apart (at least 2 ticks). */
export function niceTicks(range: AxisRange, targetCount: number): Ticks {
  checkRange(range, 'niceTicks range');
  let step = niceStep(range.max - range.min, targetCount);
  let values = multiplesInside(range, step);
  // A narrow range that happens to straddle only one multiple would get a single tick: refine.
  for (let guard = 0; values.length < 2 && guard < 4; guard++) {
    step = niceStep(range.max - range.min, targetCount * 2 ** (guard + 1));
    values = multiplesInside(range, step);
  }
  return { step, values };
}

function multiplesInside(range: AxisRange, step: NiceStep): number[] {
  // A small tolerance keeps an end tick that floating point puts a hair outside the range.
  const tolerance = 1e-9;
  const first = Math.ceil(range.min / step.value - tolerance);
  const last = Math.floor(range.max / step.value + tolerance);
  if (!(last - first <= 10_000)) {
    // A span near float64's resolution at this magnitude: the ticks cannot be placed.
    throw new RangeError(
      `niceTicks: [${range.min}, ${range.max}] is too narrow for ticks at its magnitude`,
    );
  }
  const values: number[] = [];
  // `+ 0` turns the -0 that Math.ceil gives for small negative inputs into 0.
  for (let i = first; i <= last; i++)
    values.push(stepMultiple(i, step.mantissa, step.exponent) + 0);
  return values;
}

/**
 * The range that shows all finite `values` with a little padding; [0, 1] when there are none.
 * A constant series gets a symmetric window around its value.
 */
export function autoRange(values: Iterable<number>): AxisRange {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    if (!Number.isFinite(v)) continue;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  if (min > max) return { min: 0, max: 1 };
  // Values a few ulps apart (a loss and its smoothed copy after one step) are one value: a span
  // near round-off would ask for ticks finer than float64 can place at that magnitude.
  if (max - min <= 1e-9 * Math.max(Math.abs(min), Math.abs(max))) {
    max = min;
  }
  if (min === max) {
    const half = Math.abs(min) * 0.1 || 1;
    return { min: min - half, max: max + half };
  }
  const pad = (max - min) * AUTO_RANGE_PADDING;
  return { min: min - pad, max: max + pad };
}

/**
 * A tick label with just enough decimals for the step; exponent notation for very large or very
 * small steps. Minus signs are the typographic minus (U+2212), as in print.
 */
export function formatTick(value: number, step: NiceStep): string {
  let text: string;
  if (step.exponent >= 6 || step.exponent <= -5) {
    if (value === 0) return '0';
    const digits = Math.max(0, Math.floor(Math.log10(Math.abs(value))) - step.exponent);
    text = value
      .toExponential(Math.min(digits, 20))
      .replace(/\.?0+e/, 'e')
      .replace('e+', 'e');
  } else text = value.toFixed(Math.max(0, -step.exponent));
  // toFixed can round a tiny negative to "-0.0"; zero has no sign.
  if (/^-0(\.0*)?$/.test(text)) text = text.slice(1);
  return text.replaceAll('-', '\u2212');
}
