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
