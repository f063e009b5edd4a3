/** How a trial phase (see TrialPhase) and its failures travel between processes. */
import type { TrialPhase } from './trial.js';

/** trial-process's exit status for a failure a retry cannot fix (a bad grid or config). */
export const EXIT_UNRECOVERABLE = 2;

/**
 * trial-process's exit status when another live process holds the trial's run lock (a lost
 * worker whose lease has not expired yet): try again later, it is not a failed attempt.
 */
export const EXIT_RUN_LOCKED = 4;

/** `all`, `train`, `shard:i/K` or `merge:K`, as the queue writes them. */
export function parsePhase(text: string | undefined): TrialPhase {
  if (text === undefined || text === 'all') return { kind: 'all' };
  if (text === 'train') return { kind: 'train' };
  const shard = /^shard:(\d+)\/(\d+)$/.exec(text);
  if (shard) return { kind: 'shard', index: Number(shard[1]), count: Number(shard[2]) };
  const merge = /^merge:(\d+)$/.exec(text);
  if (merge) return { kind: 'merge', count: Number(merge[1]) };
  throw new Error(`--phase: expected all, train, shard:i/K or merge:K, got ${text}`);
}

/** The text form parsePhase reads. */
export function formatPhase(phase: TrialPhase): string {
  switch (phase.kind) {
    case 'shard':
      return `shard:${phase.index}/${phase.count}`;
    case 'merge':
      return `merge:${phase.count}`;
    default:
      return phase.kind;
  }
}
