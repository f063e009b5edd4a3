/**
 * One trial of a sweep in its own process (what `runSweep` starts per trial, so trials run side
 * by side with their own onnxruntime sessions and a crash takes down one trial, not the sweep):
 *
 *   node trial-process.js <sweepDir> <trialId> [--threads N] [--device cpu|cuda] [--spinning on|off]
 *                         [--stop-after S]
 *
 * Exit status: 0 done, 1 failed (the message on stderr), 3 interrupted before the budget
 * (SIGINT/SIGTERM/SIGHUP checkpoint first; run the sweep again to resume).
 */
import type { Device } from '@ns/graph';
import { EXIT_INTERRUPTED, onInterrupt } from '@ns/trainer';
import { readSweepGrid } from './folder.js';
import { expandTrials } from './grid.js';
import { runTrial } from './trial.js';

function option(args: string[], name: string): string | undefined {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
}

async function main(args: string[]): Promise<void> {
  const [dir, id] = args;
  if (dir === undefined || id === undefined)
    throw new Error('usage: trial-process <sweepDir> <trialId>');
  const threads = option(args, '--threads');
  const stopAfter = option(args, '--stop-after');
  const spinning = option(args, '--spinning');
  const grid = readSweepGrid(dir);
  const trial = expandTrials(grid).find((t) => t.id === id);
  if (trial === undefined) throw new Error(`${dir}: no trial ${id} in its grid`);
  const interruption = onInterrupt((signal) =>
    process.stdout.write(`${signal}: checkpointing and stopping\n`),
  );
  try {
    const result = await runTrial({
      sweepDir: dir,
      grid,
      trial,
      device: (option(args, '--device') ?? 'cpu') as Device,
      ...(threads === undefined ? {} : { threads: Number(threads) }),
      ...(stopAfter === undefined ? {} : { stopAfter: Number(stopAfter) }),
      ...(spinning === undefined ? {} : { spinning: spinning === 'on' }),
      signal: interruption.signal,
      log: (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
    });
    if (result === undefined) process.exitCode = EXIT_INTERRUPTED; // stopped before the budget
  } finally {
    interruption.dispose();
  }
}

main(process.argv.slice(2)).catch((error: unknown) => {
  process.stderr.write(`trial: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exitCode = 1;
});
