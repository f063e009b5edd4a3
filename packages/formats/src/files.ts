import { openSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { FormatError } from './errors.js';

// What each errno means for someone who gave us a path, in words (Node's own messages name the
// syscall: "ENOENT: no such file or directory, open 'x'").
const REASONS: Record<string, string> = {
  ENOENT: 'no such file',
  EACCES: 'permission denied (check the file’s mode and owner)',
  EPERM: 'operation not permitted (check the file’s mode and owner)',
  EISDIR: 'is a folder, expected a file',
  ENOTDIR: 'a part of the path is a file, not a folder',
  ELOOP: 'too many symbolic links in the path',
  ENAMETOOLONG: 'the path is too long',
  EMFILE: 'too many open files in this process',
  ENFILE: 'too many open files on this system',
  EIO: 'input/output error (the disk or network file system failed)',
  ENOSPC: 'no space left on the device',
  EROFS: 'the file system is read-only',
  EEXIST: 'already exists',
};

/**
 * A FormatError for a failed file-system call on `path`, e.g. "runs/x.npz: no such file".
 * Errors that are not system errors pass through unchanged.
 */
export function fileError(path: string, error: unknown, doing = 'read'): Error {
  const code = (error as NodeJS.ErrnoException | undefined)?.code;
  if (typeof code !== 'string') return error instanceof Error ? error : new Error(String(error));
  // Writing, ENOENT means the folder to write into is missing.
  const reason =
    code === 'ENOENT' && doing === 'write' ? 'its folder does not exist' : REASONS[code];
  return new FormatError(
    path,
    reason === undefined ? `cannot ${doing} it (${code}: ${(error as Error).message})` : reason,
  );
}

/** The bytes of `path`; a missing or unreadable file is a FormatError naming it. */
export function readFileBytes(path: string): Uint8Array {
  try {
    return readFileSync(path);
  } catch (error) {
    throw fileError(path, error);
  }
}

/** A read-only file descriptor for `path`; failures as in readFileBytes. */
export function openForReading(path: string): number {
  try {
    return openSync(path, 'r');
  } catch (error) {
    throw fileError(path, error, 'open');
  }
}

/**
 * Writes `bytes` to `path` through a temporary file in the same folder that is renamed into
 * place, so a reader (or a parallel writer of the same file) never sees half a file. Failures
 * name the path ("out/a.npz: no space left on the device").
 */
export function writeFileAtomic(path: string, bytes: Uint8Array): void {
  const temporary = `${path}.${process.pid}.${Math.random().toString(36).slice(2, 8)}.tmp`;
  try {
    writeFileSync(temporary, bytes);
    renameSync(temporary, path);
  } catch (error) {
    rmSync(temporary, { force: true });
    throw fileError(path, error, 'write');
  }
}
