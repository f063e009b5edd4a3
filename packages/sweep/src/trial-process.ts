/**
 * One trial of a sweep in its own process (what `runSweep` and a queue worker start per job, so
 * trials run side by side with their own onnxruntime sessions and a crash takes down one trial,
 * not the sweep):
 *
 *   node trial-process.js <sweepDir> <trialId> [--threads N] [--device cpu|cuda] [--spinning on|off]
 *                         [--phase all|train|shard:i/K|merge:K] [--stop-after S]
 *
 * Exit status: 0 done, 1 failed (the message on stderr; a retry may help), 2 failed for a reason
 * a retry cannot fix (a bad grid or config: the message says which), 3 interrupted before the
 * budget (SIGINT/SIGTERM/SIGHUP checkpoint first; run it again to resume), 4 the run is locked
 * by another live process (try again once its lease may have expired). Started with an IPC
 * channel, it also stops (checkpointing) when its parent dies, so an orphan never keeps the lock.
 */
import type { Device } from '@ns/graph';
import { EXIT_INTERRUPTED, isNsError, onInterrupt, TrainerError } from '@ns/trainer';
import { readSweepGrid } from './folder.js';
import { expandTrials } from './grid.js';
import { EXIT_RUN_LOCKED, EXIT_UNRECOVERABLE, parsePhase } from './phase.js';
import { runTrialPhase } from './trial.js';

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

/**
 * Errors that fail the same way on every retry: a bad grid or config, a run that does not fit
 * its trial, a diverged loss. A locked run (its lease may expire), a full disk or too little
 * memory on this machine may succeed elsewhere or later.
 */
const UNRECOVERABLE_CODES = new Set([
  'invalid_config',
  'invalid_argument',
  'config_mismatch',
  'incompatible_run',
  'not_a_run',
  'non_finite',
]);

function isUnrecoverable(error: unknown): boolean {
  if (error instanceof SyntaxError) return true; // grid.json is not JSON
  return isNsError(error) && UNRECOVERABLE_CODES.has(error.code ?? '');
}

async function main(args: string[]): Promise<void> {
  const [dir, id] = args;
  if (dir === undefined || id === undefined)
    throw new Error('usage: trial-process <sweepDir> <trialId>');
  const threads = option(args, '--threads');
  const stopAfter = option(args, '--stop-after');
  const spinning = option(args, '--spinning');
  const phase = parsePhase(option(args, '--phase'));
  const grid = readSweepGrid(dir);
  const trial = expandTrials(grid).find((t) => t.id === id);
  if (trial === undefined)
    throw new TrainerError('invalid_argument', `${dir}: no trial ${id} in its grid`);
  const interruption = onInterrupt((signal) =>
    process.stdout.write(`${signal}: checkpointing and stopping\n`),
  );
  // The parent (a sweep or a worker) is gone: stop as on SIGTERM, saving the step.
  const orphaned = () => process.kill(process.pid, 'SIGTERM');
  process.on('disconnect', orphaned);
  try {
    const outcome = await runTrialPhase(
      {
        sweepDir: dir,
        grid,
        trial,
        device: (option(args, '--device') ?? 'cpu') as Device,
        ...(threads === undefined ? {} : { threads: Number(threads) }),
        ...(stopAfter === undefined ? {} : { stopAfter: Number(stopAfter) }),
        ...(spinning === undefined ? {} : { spinning: spinning === 'on' }),
        signal: interruption.signal,
        log: (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
      },
      phase,
    );
    if (outcome.kind === 'interrupted') process.exitCode = EXIT_INTERRUPTED;
  } finally {
    interruption.dispose();
    process.off('disconnect', orphaned);
    if (process.connected) process.disconnect();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`trial: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = isUnrecoverable(error)
    ? EXIT_UNRECOVERABLE
    : isNsError(error) && error.code === 'run_locked'
      ? EXIT_RUN_LOCKED
      : 1;
  if (process.connected) process.disconnect();
});
