/**
 * Crash-safe file writes: write under a temporary name, fsync, rename, fsync the folder. A reader
 * (or a process killed at any instant, kill -9 included) sees either the old file or the new one.
 */
import { randomBytes } from 'node:crypto';
import { open, rename, rm } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';

async function fsyncPath(path: string): Promise<void> {
  const handle = await open(path, 'r');
  try {
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Writes `bytes` to a new file and fsyncs it (no rename: for files inside a temporary folder). */
export async function writeSynced(path: string, bytes: Uint8Array | string): Promise<void> {
  const handle = await open(path, 'w');
  try {
    await handle.writeFile(bytes);
    await handle.sync();
  } finally {
    await handle.close();
  }
}

/** Replaces `path` atomically with `bytes`. */
export async function writeFileAtomic(path: string, bytes: Uint8Array | string): Promise<void> {
  const temporary = join(dirname(path), `.${basename(path)}.${randomBytes(4).toString('hex')}.tmp`);
  try {
    await writeSynced(temporary, bytes);
    await rename(temporary, path);
  } catch (error) {
    await rm(temporary, { force: true });
    throw error;
  }
  await fsyncPath(dirname(path));
}

/** Renames a fully written folder into place and makes the rename durable. */
export async function publishFolder(temporary: string, final: string): Promise<void> {
  await fsyncPath(temporary);
  await rename(temporary, final);
  await fsyncPath(dirname(final));
}
