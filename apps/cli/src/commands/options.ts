/** Commander argument parsers that fail with the flag's expectation in the message. */
import { InvalidArgumentError } from 'commander';

export const integer =
  (min: number) =>
  (text: string): number => {
    const value = Number(text);
    if (!(Number.isInteger(value) && value >= min))
      throw new InvalidArgumentError(`expected an integer >= ${min}, got ${JSON.stringify(text)}`);
    return value;
  };

export function positiveNumber(text: string): number {
  const value = Number(text);
  if (!(value > 0 && Number.isFinite(value)))
    throw new InvalidArgumentError(`expected a number > 0, got ${JSON.stringify(text)}`);
  return value;
}

export function probability(text: string): number {
  const value = Number(text);
  if (!(text.trim() !== '' && value >= 0 && value <= 1))
    throw new InvalidArgumentError(`expected a number in [0, 1], got ${JSON.stringify(text)}`);
  return value;
}

export function finiteNumber(text: string): number {
  const value = Number(text);
  if (!(text.trim() !== '' && Number.isFinite(value)))
    throw new InvalidArgumentError(`expected a number, got ${JSON.stringify(text)}`);
  return value;
}

/** float32's largest finite value: a rate beyond it cannot be fed to the training graph. */
const FLOAT32_MAX = 3.4028234663852886e38;

export function learningRateValue(text: string): number {
  const value = positiveNumber(text);
  if (value > FLOAT32_MAX)
    throw new InvalidArgumentError(
      `expected a number <= 3.4e38 (float32's largest value), got ${JSON.stringify(text)}`,
    );
  return value;
}

/** `i/K`: shard i (0-based) of K. */
export function shardValue(text: string): { index: number; count: number } {
  const match = /^(\d+)\/(\d+)$/.exec(text.trim());
  const index = match ? Number(match[1]) : Number.NaN;
  const count = match ? Number(match[2]) : Number.NaN;
  if (!(count >= 1 && index >= 0 && index < count))
    throw new InvalidArgumentError(`expected i/K with 0 <= i < K, got ${JSON.stringify(text)}`);
  return { index, count };
}
