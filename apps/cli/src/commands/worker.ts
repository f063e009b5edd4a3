/**
 * `ns worker --queue URL --out DIR`: runs a queued sweep's trials on this machine, as many side
 * by side as --jobs, until the sweep has nothing left (docs/distributed.md).
 */
import type { Device } from '@ns/graph';
import { runWorker } from '@ns/queue';
import { EXIT_CODES_HELP, EXIT_INTERRUPTED, onInterrupt } from '@ns/trainer';
import type { Command } from 'commander';
import { integer } from './options.js';
import { QUEUE_HELP, requiredQueueTarget } from './queue-options.js';
import { addDeviceOptions } from './train.js';

interface WorkerCommandOptions {
  queue?: string;
  out: string;
  jobs: number;
  threads?: number;
  device: Device;
  stallTimeout: number;
}

export function registerWorker(program: Command): void {
  const command = program
    .command('worker')
    .description(
      'run the trials of a sweep submitted with ns sweep --queue, on any machine that sees its folder',
    )
    .option('-q, --queue <url>', QUEUE_HELP)
    .requiredOption(
      '-o, --out <dir>',
      'the sweep folder (a shared file system: NFS, a cluster volume)',
    )
    .option('-j, --jobs <n>', 'trials run side by side (threads are split)', integer(1), 1)
    .option(
      '--stall-timeout <s>',
      'seconds without a heartbeat before a trial of a lost worker goes to another',
      integer(2),
      30,
    );
  command.addHelpText(
    'after',
    `
The worker returns when the sweep has nothing left to run. A trial whose worker was lost resumes
from its last checkpoint on another worker; SIGINT/SIGTERM/SIGHUP checkpoint the running trials
and put them back on the queue.${EXIT_CODES_HELP}`,
  );
  addDeviceOptions(command).action(async (o: WorkerCommandOptions) => {
    const target = requiredQueueTarget(o.queue);
    const interruption = onInterrupt((signal) =>
      process.stderr.write(`${signal}: checkpointing the running trials and returning them\n`),
    );
    try {
      const outcome = await runWorker({
        target,
        out: o.out,
        jobs: o.jobs,
        ...(o.threads === undefined ? {} : { threads: o.threads }),
        device: o.device,
        stallSeconds: o.stallTimeout,
        signal: interruption.signal,
        log: (line) => process.stderr.write(`${new Date().toISOString().slice(11, 19)} ${line}\n`),
      });
      process.stderr.write(
        `worker: ${outcome.completed} job${outcome.completed === 1 ? '' : 's'} done\n`,
      );
      if (outcome.interrupted) process.exitCode = EXIT_INTERRUPTED;
    } finally {
      interruption.dispose();
    }
  });
}
