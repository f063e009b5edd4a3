/**
 * The jobs of a sweep on a queue, and where the queue's name lives. A sweep folder submitted to
 * a queue holds queue.json with the BullMQ queue's name, so every worker that sees the folder
 * (whatever path its machine mounts it at) finds the same queue, and two sweeps on one Redis
 * never share one.
 *
 * Jobs, with ids derived from the trial's folder name so that submitting again is idempotent:
 *   trial  `<trial>`                  train to the budget (and evaluate, unless sharded)
 *   shard  `<trial>.shard-<i>-of-<K>` sample shard i of K, write its feature moments
 *   merge  `<trial>.merge`            the parent of the shards: merge them, write result.json
 */
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TrialPhase } from '@ns/sweep';
import { writeFileAtomic } from '@ns/trainer';
import type { JobsOptions } from 'bullmq';
import { QueueError } from './errors.js';

export type SweepJobName = 'trial' | 'shard' | 'merge';

export type SweepJobData =
  | { readonly trial: string }
  | { readonly trial: string; readonly index: number; readonly count: number }
  | { readonly trial: string; readonly count: number };

export interface QueueFile {
  /** The BullMQ queue of this sweep. */
  readonly name: string;
  /** When the sweep was first submitted (ISO time). */
  readonly created: string;
}

export const queueFilePath = (sweepDir: string) => join(sweepDir, 'queue.json');

export function readQueueFile(sweepDir: string): QueueFile | undefined {
  const path = queueFilePath(sweepDir);
  if (!existsSync(path)) return undefined;
  const value = JSON.parse(readFileSync(path, 'utf8')) as Partial<QueueFile>;
  if (typeof value.name !== 'string' || !/^ns-sweep-[0-9a-f]+$/.test(value.name)) {
    throw new QueueError('no_sweep', `${path}: expected { "name": "ns-sweep-…" }`);
  }
  return value as QueueFile;
}

/** A fresh queue name; written to queue.json only once its jobs are on the queue. */
export function newQueueFile(): QueueFile {
  return { name: `ns-sweep-${randomBytes(6).toString('hex')}`, created: new Date().toISOString() };
}

/** Written atomically (the trainer's writer: temp file, fsync, rename) so no worker reads half. */
export function writeQueueFile(sweepDir: string, file: QueueFile): Promise<void> {
  return writeFileAtomic(queueFilePath(sweepDir), `${JSON.stringify(file, null, 2)}\n`);
}

export const shardJobId = (trial: string, index: number, count: number) =>
  `${trial}.shard-${index}-of-${count}`;
export const mergeJobId = (trial: string) => `${trial}.merge`;

/**
 * Attempts per job. A trial's later attempts resume from its checkpoint; what a retry cannot
 * fix (a bad config) fails at the first, as an UnrecoverableError.
 */
export const JOB_OPTIONS: JobsOptions = {
  attempts: 3,
  backoff: { type: 'exponential', delay: 2000 },
  // Finished jobs stay (small): `ns sweep status` and a re-submission read their state.
  removeOnComplete: false,
  removeOnFail: false,
};

/** The trial phase a job runs. */
export function jobPhase(name: string, data: SweepJobData, shards: number): TrialPhase {
  if (name === 'trial') return shards > 1 ? { kind: 'train' } : { kind: 'all' };
  if (name === 'shard' && 'index' in data)
    return { kind: 'shard', index: data.index, count: data.count };
  if (name === 'merge' && 'count' in data) return { kind: 'merge', count: data.count };
  throw new Error(`job ${name} ${JSON.stringify(data)}: not a sweep job`);
}
