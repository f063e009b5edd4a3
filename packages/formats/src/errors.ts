/**
 * The one error type of this package. `file` names the file (or `file:member` inside an archive)
 * and the message says what is wrong in one line, e.g.
 * "samples.npz: member arr_0.npy: CRC-32 mismatch (stored 0x1c2d…, computed 0x9f00…)".
 */
export class FormatError extends Error {
  override readonly name = 'FormatError';
  constructor(
    readonly file: string,
    readonly problem: string,
  ) {
    super(`${file}: ${problem}`);
  }

  /** True for a FormatError from any copy of this package (bundlers may load two). */
  static isInstance(error: unknown): error is FormatError {
    return error instanceof Error && error.name === 'FormatError' && 'file' in error;
  }
}

/** Throws a FormatError saying what was expected and what was got. */
export function fail(file: string, expected: string, got: unknown): never {
  throw new FormatError(file, `expected ${expected}, got ${describe(got)}`);
}

/** A RangeError for a bad argument of a writer, in the same "expected …, got …" form. */
export function badArgument(argument: string, expected: string, got: unknown): never {
  throw new RangeError(`${argument}: expected ${expected}, got ${describe(got)}`);
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.join(', ')}]`;
  return String(value);
}
