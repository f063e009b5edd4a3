/**
 * Argument checks shared by every module. Each throws a `RangeError` whose message names the
 * argument, the allowed range and the value received, e.g. "`t` must be in [0, 1], got 1.5".
 */

const describe = (value: number): string => (Number.isNaN(value) ? 'NaN' : String(value));

/** Throws unless `value` is a finite number in the closed interval [lo, hi]. */
export function assertInClosedRange(name: string, value: number, lo: number, hi: number): void {
  if (!(value >= lo && value <= hi)) {
    throw new RangeError(`\`${name}\` must be in [${lo}, ${hi}], got ${describe(value)}`);
  }
}

/** Throws unless `value` is finite and strictly positive. */
export function assertPositive(name: string, value: number): void {
  if (!(value > 0 && Number.isFinite(value))) {
    throw new RangeError(`\`${name}\` must be a finite number > 0, got ${describe(value)}`);
  }
}

/** Throws unless `value` is a finite number. */
export function assertFinite(name: string, value: number): void {
  if (!Number.isFinite(value)) {
    throw new RangeError(`\`${name}\` must be a finite number, got ${describe(value)}`);
  }
}

/** Throws unless `value` is not NaN (±Infinity allowed, e.g. for logSNR). */
export function assertNotNaN(name: string, value: number): void {
  if (Number.isNaN(value)) throw new RangeError(`\`${name}\` must be a number, got NaN`);
}

/** Throws unless `lo < hi` (both finite). */
export function assertOrdered(loName: string, lo: number, hiName: string, hi: number): void {
  assertFinite(loName, lo);
  assertFinite(hiName, hi);
  if (!(lo < hi)) {
    throw new RangeError(
      `\`${loName}\` must be < \`${hiName}\`, got ${loName}=${lo}, ${hiName}=${hi}`,
    );
  }
}

/** Throws unless `value` is an integer ≥ `min`. */
export function assertInteger(name: string, value: number, min: number): void {
  if (!(Number.isInteger(value) && value >= min)) {
    throw new RangeError(`\`${name}\` must be an integer >= ${min}, got ${describe(value)}`);
  }
}

/** Checks a time value: the schedules are defined on t ∈ [0, 1]. */
export function assertTime(t: number, name = 't'): void {
  if (!(t >= 0 && t <= 1)) {
    throw new RangeError(`\`${name}\` must be in [0, 1], got ${describe(t)}`);
  }
}

/** Checks every element of a time array (reports the first bad index). */
export function assertTimes(ts: ArrayLike<number>, name = 't'): void {
  for (let i = 0; i < ts.length; i++) {
    const t = ts[i]!;
    if (!(t >= 0 && t <= 1)) {
      throw new RangeError(`\`${name}[${i}]\` must be in [0, 1], got ${describe(t)}`);
    }
  }
}

/** Throws the `t[i]` error; for loops that check inline (`if (!(t >= 0 && t <= 1)) badTime(i, t)`). */
export function badTime(index: number, t: number): never {
  throw new RangeError(`\`t[${index}]\` must be in [0, 1], got ${describe(t)}`);
}
