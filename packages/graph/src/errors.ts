/**
 * Every error raised by @ns/graph is a `GraphError` with a closed `code`, so callers can branch on
 * the kind of failure without parsing messages. `isGraphError` works across duplicate installs.
 */
export type GraphErrorCode =
  | 'shape_mismatch'
  | 'dtype_mismatch'
  | 'invalid_argument'
  | 'unknown_tensor'
  | 'duplicate_name'
  | 'provider_unavailable'
  | 'invalid_artifacts';

const MARKER = Symbol.for('@ns/graph.GraphError');

export class GraphError extends Error {
  readonly code: GraphErrorCode;
  readonly [MARKER] = true;
  constructor(code: GraphErrorCode, message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'GraphError';
    this.code = code;
  }
}

export function isGraphError(e: unknown): e is GraphError {
  return typeof e === 'object' && e !== null && (e as Record<symbol, unknown>)[MARKER] === true;
}
