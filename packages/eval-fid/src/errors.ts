/**
 * The one error type this package throws for bad input. `argument` names what was wrong
 * (a parameter, a file, a key) so callers and the CLI can report it without parsing the message.
 */
export class EvalFidError extends Error {
  override readonly name = 'EvalFidError';
  constructor(
    readonly argument: string,
    message: string,
  ) {
    super(`${argument}: ${message}`);
  }
}

/** Throws an EvalFidError saying what was expected and what was got. */
export function fail(argument: string, expected: string, got: unknown): never {
  throw new EvalFidError(argument, `expected ${expected}, got ${describe(got)}`);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.join(', ')}]`;
  return String(value);
}
