/**
 * Every failure @ns/trainer reports about a run is a `TrainerError` with a closed `code` and, where
 * one is to blame, the `path` of the file or folder; the message is one line a person can act on.
 * `isTrainerError` works across duplicate installs (a `Symbol.for` marker, not `instanceof`), and
 * `isNsError` recognises the same shape from any @ns package.
 */
export type TrainerErrorCode =
  /** config.json or a given configuration fails its schema (see `issues`). */
  | 'invalid_config'
  /** A new run was asked for in a folder that already holds one. */
  | 'run_exists'
  /** Another live process holds the run's lock. */
  | 'run_locked'
  /** The folder is not a run (no config.json). */
  | 'not_a_run'
  /** The run was made by an incompatible version. */
  | 'incompatible_run'
  /** The run has no (intact) checkpoint to continue or sample from. */
  | 'no_checkpoint'
  /** A checkpoint file is damaged or does not fit the model. */
  | 'corrupt_checkpoint'
  /** A loss, weight or optimizer moment is NaN or infinite. */
  | 'non_finite'
  /** Resume flags that disagree with the saved configuration. */
  | 'config_mismatch'
  /** The batch (or model) needs more memory than the machine has. */
  | 'out_of_memory'
  /** A file-system error, turned into a sentence (ENOSPC, EACCES, ENOENT …). */
  | 'io'
  | 'invalid_argument';

/** One problem found in a configuration: where (dotted path) and what. */
export interface ConfigIssue {
  readonly path: string;
  readonly message: string;
}

const MARKER = Symbol.for('@ns/trainer.TrainerError');
/** Shared by the error classes of every @ns package: code + one-line message (+ path). */
const NS_ERROR = Symbol.for('@ns/error');

export class TrainerError extends Error {
  readonly code: TrainerErrorCode;
  /** The file or folder concerned, when there is one. */
  readonly path: string | undefined;
  readonly issues: readonly ConfigIssue[];
  readonly [MARKER] = true;
  readonly [NS_ERROR] = true;
  constructor(
    code: TrainerErrorCode,
    message: string,
    options: { path?: string; issues?: readonly ConfigIssue[]; cause?: unknown } = {},
  ) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.name = 'TrainerError';
    this.code = code;
    this.path = options.path;
    this.issues = options.issues ?? [];
  }
}

export function isTrainerError(e: unknown): e is TrainerError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[MARKER] === true;
}

/** Any @ns error (or one of the package errors that predate the shared marker). */
export function isNsError(e: unknown): e is Error & { code?: string } {
  if (typeof e !== 'object' || e === null) return false;
  const marked = e as Record<symbol, unknown>;
  return (
    marked[NS_ERROR] === true ||
    Object.getOwnPropertySymbols(e).some(
      (s) => s.description?.startsWith('@ns/') === true && marked[s] === true,
    )
  );
}
