/**
 * Raw Node file-system errors (`ENOSPC: no space left on device, write`) as sentences that name
 * the path and what to do, wrapped in a TrainerError('io') so the CLI prints one line.
 */
import { TrainerError } from './errors.js';

const SENTENCES: Record<string, (path: string) => string> = {
  ENOSPC: (p) => `no space left on the disk that holds ${p}; free some space and try again`,
  EDQUOT: (p) => `the disk quota is exhausted for ${p}; free some space and try again`,
  EACCES: (p) => `permission denied for ${p}`,
  EPERM: (p) => `operation not permitted on ${p}`,
  ENOENT: (p) => `${p} does not exist`,
  EEXIST: (p) => `${p} already exists`,
  ENOTDIR: (p) => `${p} is not a folder (a part of the path is a file)`,
  EISDIR: (p) => `${p} is a folder, expected a file`,
  EROFS: (p) => `${p} is on a read-only file system`,
  EMFILE: () => 'too many open files; raise the limit (ulimit -n)',
};

/** Is `e` a Node system error with this code (e.g. 'ENOSPC')? */
export function hasCode(e: unknown, code: string): boolean {
  return typeof e === 'object' && e !== null && (e as NodeJS.ErrnoException).code === code;
}

/**
 * A TrainerError('io') for a system error of an operation on `path` (the error's own path when it
 * has one); anything else is returned unchanged.
 */
export function describeSystemError(e: unknown, path?: string, doing?: string): unknown {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  if (code === undefined || !(code in SENTENCES)) return e;
  const where = (e as NodeJS.ErrnoException).path ?? path ?? 'the file';
  const sentence = SENTENCES[code]!(where);
  return new TrainerError('io', doing ? `${doing}: ${sentence}` : sentence, {
    path: where,
    cause: e,
  });
}

/** Runs `fn`, turning system errors into TrainerError('io') sentences about `path`. */
export async function withSystemErrors<T>(
  path: string,
  doing: string,
  fn: () => Promise<T>,
): Promise<T> {
  try {
    return await fn();
  } catch (e) {
    throw describeSystemError(e, path, doing);
  }
}
