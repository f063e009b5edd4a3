/**
 * Every error raised by @ns/rin is a `RinError` with a closed `code` and, for configuration
 * problems, the list of issues (each with a path, what was expected and what was got).
 * `isRinError` works across duplicate installs (a `Symbol.for` marker, not `instanceof`).
 */
export type RinErrorCode =
  | 'invalid_config'
  | 'unknown_preset'
  | 'invalid_weights'
  | 'invalid_input';

/** One problem found in a configuration. */
export interface RinConfigIssue {
  readonly code: 'invalid_type' | 'out_of_range' | 'not_divisible' | 'unknown_key' | 'missing_key';
  /** Dotted location of the value, e.g. `blocks.2`. */
  readonly path: string;
  readonly expected: string;
  /** The offending value, printed. */
  readonly got: string;
}

const MARKER = Symbol.for('@ns/rin.RinError');

export class RinError extends Error {
  readonly code: RinErrorCode;
  readonly issues: readonly RinConfigIssue[];
  readonly [MARKER] = true;
  constructor(
    code: RinErrorCode,
    message: string,
    issues: readonly RinConfigIssue[] = [],
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'RinError';
    this.code = code;
    this.issues = issues;
  }
}

export function isRinError(e: unknown): e is RinError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[MARKER] === true;
}

/** One line per issue: `path: expected …, got …`. */
export function formatIssues(issues: readonly RinConfigIssue[]): string {
  return issues
    .map((i) => `${i.path || '(root)'}: expected ${i.expected}, got ${i.got}`)
    .join('\n');
}
