/**
 * `ns sweep --grid grid.json --out DIR [--jobs N]`: the paper's noise-schedule study (Tables 3
 * and 4) as a grid of ordinary training runs, each sampled and measured the same way;
 * `ns sweep report DIR` turns the finished trials into tables and plots.
 */
import { readFileSync } from 'node:fs';
import type { Device } from '@ns/graph';
import { parseGrid, runSweep, type SweepGrid, writeSweepReport } from '@ns/sweep';
import { EXIT_INTERRUPTED } from '@ns/trainer';
import type { Command } from 'commander';
import { integer } from './options.js';
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
    );
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
Exit status: 0 all trials done, 1 a trial failed, 3 trials left unfinished (interrupted).`,
  );
  addDeviceOptions(sweep).action(async (o: SweepCommandOptions) => {
    // Not a requiredOption: commander would demand it of the `report` and `trial` subcommands too.
    const out = o.out ?? sweep.error("error: required option '-o, --out <dir>' not specified");
    const grid = o.grid === undefined ? undefined : readGridFile(o.grid);
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
