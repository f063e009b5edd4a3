/**
 * `ns sweep --grid grid.json --out DIR [--jobs N]`: the paper's noise-schedule study (Tables 3
 * and 4) as a grid of ordinary training runs, each sampled and measured the same way;
 * `ns sweep report DIR` turns the finished trials into tables and plots.
 */
import { readFileSync } from 'node:fs';
import type { Device } from '@ns/graph';
import {
  followSweep,
  k8sWorkerManifest,
  submitSweep,
  sweepStates,
  type TrialQueueState,
} from '@ns/queue';
import { parseGrid, runSweep, type SweepGrid, writeSweepReport } from '@ns/sweep';
import { EXIT_INTERRUPTED, onInterrupt } from '@ns/trainer';
import { type Command, Option } from 'commander';
import { integer } from './options.js';
import { QUEUE_HELP, queueTarget, requiredQueueTarget } from './queue-options.js';
import { addDeviceOptions } from './train.js';

/** The --grid file, parsed and checked; errors name the file. */
function readGridFile(path: string): SweepGrid {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new Error(`--grid ${path}: cannot read it (${(error as NodeJS.ErrnoException).code})`);
  }
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new Error(`--grid ${path}: not JSON (${(error as Error).message})`);
  }
  return parseGrid(json, `--grid ${path}`);
}

const reportLine = (r: { path: string; trials: number }) =>
  `report: ${r.path} (${r.trials} trial${r.trials === 1 ? '' : 's'})\n`;

interface SweepCommandOptions {
  grid?: string;
  out?: string;
  jobs: number;
  device: Device;
  threads?: number;
  queue?: string | true;
  detach?: boolean;
  emit?: 'k8s';
  workers: number;
  image?: string;
  volumeClaim?: string;
  mount: string;
  secret: string;
  name: string;
  cpu?: string;
  memory?: string;
}

/** The last column of `ns sweep status`: the result, the failure, or the progress. */
function statusDetail(id: string, state: TrialQueueState): string {
  switch (state.kind) {
    case 'done':
      return `${state.result.metric} ${state.result.value.toFixed(3)} (step ${state.result.step})`;
    case 'failed':
      return `${state.job}: ${state.reason}`;
    case 'running':
      return state.progress.slice(id.length + 1);
    case 'waiting':
      return state.attempts > 0
        ? `${state.attempts} attempt${state.attempts === 1 ? '' : 's'} so far`
        : '';
    default:
      return '';
  }
}

/** `--emit k8s`: the Indexed Job of `--workers` pods running `ns worker` on this sweep. */
function emitK8s(o: SweepCommandOptions, out: string): void {
  const missing = (flag: string) => {
    throw new Error(`--emit k8s: ${flag} is required`);
  };
  process.stdout.write(
    k8sWorkerManifest({
      name: o.name,
      workers: o.workers,
      image: o.image ?? missing('--image'),
      volumeClaim: o.volumeClaim ?? missing('--volume-claim'),
      mountPath: o.mount,
      sweepDir: out,
      secretName: o.secret,
      jobsPerPod: o.jobs,
      ...(o.threads === undefined ? {} : { threadsPerPod: o.threads }),
      ...(o.cpu === undefined ? {} : { cpu: o.cpu }),
      ...(o.memory === undefined ? {} : { memory: o.memory }),
      gpu: o.device === 'cuda',
    }),
  );
}

const log = (line: string) => process.stderr.write(`${line}\n`);

/**
 * The queued sweep: submit every unfinished trial, then follow it to the end (or return at once
 * with --detach). Ctrl-C stops following only; the workers go on.
 */
async function runQueuedSweep(o: SweepCommandOptions, out: string, grid: SweepGrid | undefined) {
  const target = queueTarget(o.queue)!;
  await submitSweep({
    target,
    out,
    ...(grid === undefined ? {} : { grid }),
    log,
    ...(o.threads === undefined ? {} : { threads: o.threads }),
  });
  if (o.detach) {
    log(
      `detached: ns sweep status --out ${out} shows progress; start workers with ns worker --out ${out} --queue …`,
    );
    return;
  }
  const interruption = onInterrupt(() =>
    log('stopped following; the workers go on (ns sweep status)'),
  );
  try {
    const outcome = await followSweep({ target, out, log, signal: interruption.signal });
    if (outcome.results.length > 0) process.stdout.write(reportLine(await writeSweepReport(out)));
    if (!outcome.complete) process.exitCode = EXIT_INTERRUPTED;
    if (outcome.failed.length > 0) {
      throw new Error(
        `${outcome.failed.length} trial${outcome.failed.length === 1 ? '' : 's'} failed: ${outcome.failed.map((f) => `${f.id} (${f.reason})`).join('; ')}`,
      );
    }
  } finally {
    interruption.dispose();
  }
}

export function registerSweep(program: Command): void {
  const sweep = program
    .command('sweep')
    .description(
      'train and evaluate a grid of schedules × input scales b × resolutions × seeds (Chen 2023, Tables 3–4); resumable',
    )
    .option(
      '-g, --grid <file.json>',
      'the grid (see docs/replication.md); optional when continuing --out',
    )
    .option('-o, --out <dir>', 'sweep folder: one run directory per trial, results, report')
    .option(
      '-j, --jobs <n>',
      'trials run side by side as processes (threads are split)',
      integer(1),
      1,
    )
    .option(
      '-q, --queue [url]',
      'run the trials on `ns worker`s through this Redis: redis://[[user]:password@]host[:port][/db] or rediss:// (no URL: $NS_QUEUE); docs/distributed.md',
    )
    .option('--detach', 'with --queue: submit and return at once')
    .addOption(
      new Option('--emit <what>', 'print a manifest of the workers instead of running').choices([
        'k8s',
      ]),
    )
    .option('--workers <n>', 'k8s: worker pods', integer(1), 2)
    .option('--image <image>', 'k8s: container image with ns on its PATH')
    .option('--volume-claim <name>', 'k8s: PersistentVolumeClaim holding the sweep folder')
    .option('--mount <path>', 'k8s: where the claim is mounted; --out is inside it', '/sweeps')
    .option('--secret <name>', 'k8s: Secret whose key url holds the queue URL', 'ns-queue')
    .option('--name <name>', "k8s: the Job's name", 'ns-workers')
    .option('--cpu <quantity>', 'k8s: CPU request = limit per pod (e.g. 4)')
    .option('--memory <quantity>', 'k8s: memory request = limit per pod (e.g. 8Gi)');
  sweep.addHelpText(
    'after',
    `
A grid (every key but data, heldOut, preset, resolutions and budget has a default):
  {
    "data": "mnist", "heldOut": "mnist-test", "limit": 20000, "preset": "tiny",
    "resolutions": [32, 64, 128], "patchSize": { "32": 4, "64": 8, "128": 16 },
    "schedules": ["simple_linear"], "inputScales": [0.3, 0.5, 0.7, 1], "seeds": [0, 1],
    "budget": { "steps": 4000 },                  or { "minutes": 5, "maxSteps": 100000 }
    "train": { "batch": 32, "lr": 0.002, "warmup": 200, "decay": "cosine@0.7", "ema": 0.999 },
    "eval": { "samples": 500, "reference": 2000, "sampler": "ddpm", "schedule": "cosine",
              "steps": 50, "seed": 0, "features": "mnist" }
  }
Run the same command again to continue: finished trials are skipped, interrupted ones resume
from their checkpoints. A grid may grow (more seeds, scales, resolutions, schedules).
With --queue, every unfinished trial goes on a BullMQ queue in that Redis and \`ns worker\`s on
any machine that sees the folder run them; the sweep follows them to the end.
Exit status: 0 all trials done, 1 a trial failed, 3 trials left unfinished (interrupted).`,
  );
  addDeviceOptions(sweep).action(async (o: SweepCommandOptions) => {
    // Not a requiredOption: commander would demand it of the `report` and `status` subcommands too.
    const out = o.out ?? sweep.error("error: required option '-o, --out <dir>' not specified");
    if (o.emit === 'k8s') return emitK8s(o, out);
    const grid = o.grid === undefined ? undefined : readGridFile(o.grid);
    if (o.queue !== undefined) return runQueuedSweep(o, out, grid);
    if (o.detach) throw new Error('--detach: only with --queue (a local sweep runs here)');
    const outcome = await runSweep({
      out,
      ...(grid === undefined ? {} : { grid }),
      jobs: o.jobs,
      ...(o.threads === undefined ? {} : { threads: o.threads }),
      device: o.device,
      log: (line) => process.stderr.write(`${line}\n`),
    });
    if (outcome.results.length > 0) {
      const report = await writeSweepReport(out);
      process.stdout.write(reportLine(report));
    }
    if (outcome.unfinished.length > 0) {
      process.exitCode = EXIT_INTERRUPTED; // interrupted trials: not failed, not done
      process.stderr.write(
        `${outcome.unfinished.length} unfinished (${outcome.unfinished.join(', ')}); run the same command again to continue\n`,
      );
    }
    if (outcome.failed.length > 0) {
      throw new Error(
        `${outcome.failed.length} trials failed: ${outcome.failed.map((f) => `${f.id} (${f.log})`).join(', ')}`,
      );
    }
  });

  sweep
    .command('status')
    .description('where every trial of a queued sweep stands: done, running, waiting or failed')
    .requiredOption('-o, --out <dir>', 'the sweep folder')
    .option('-q, --queue <url>', QUEUE_HELP)
    .action(async (s: { out: string; queue?: string }) => {
      const target = requiredQueueTarget(s.queue);
      const rows = await sweepStates(target, s.out);
      const width = Math.max(...rows.map((r) => r.trial.id.length));
      for (const { trial, state } of rows) {
        const line = `${trial.id.padEnd(width)}  ${state.kind.padEnd(10)}  ${statusDetail(trial.id, state)}`;
        process.stdout.write(`${line.trimEnd()}\n`);
      }
      const count = (kind: string) => rows.filter((r) => r.state.kind === kind).length;
      process.stdout.write(
        `${rows.length} trials: ${count('done')} done, ${count('running')} running, ${count('waiting')} waiting, ${count('failed')} failed${count('not queued') > 0 ? `, ${count('not queued')} not queued` : ''}\n`,
      );
    });

  sweep
    .command('report')
    .description(
      'write report.md (Tables 3–4 shape), metric-vs-b and logSNR plots from finished trials',
    )
    .argument('<dir>', 'sweep folder')
    .action(async (dir: string) => {
      const report = await writeSweepReport(dir);
      process.stdout.write(reportLine(report));
    });
}
