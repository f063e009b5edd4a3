/**
 * What @ns/queue reports: a one-line message naming the Redis (never its password), the URL
 * argument or the folder, and a closed code a caller can branch on.
 */
export type QueueErrorCode =
  /** The --queue URL is not a Redis URL. */
  | 'invalid_url'
  /** No Redis answered at the URL's host and port. */
  | 'unreachable'
  /** Redis answered but refused the credentials. */
  | 'auth'
  /** The sweep folder cannot be written by this worker. */
  | 'not_writable'
  /** The folder holds no sweep, or one submitted to another Redis queue. */
  | 'no_sweep';

// The mark @ns/trainer's isNsError recognises: a package error, shown as one line.
const MARKER = Symbol.for('@ns/queue.QueueError');

export class QueueError extends Error {
  readonly code: QueueErrorCode;
  readonly [MARKER] = true;

  constructor(code: QueueErrorCode, message: string) {
    super(message);
    this.name = 'QueueError';
    this.code = code;
  }
}
