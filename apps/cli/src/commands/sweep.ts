/**
 * `ns sweep --grid grid.json --out DIR [--jobs N]`: the paper's noise-schedule study (Tables 3
 * and 4) as a grid of ordinary training runs, each sampled and measured the same way;
 * `ns sweep report DIR` turns the finished trials into tables and plots.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { writePng } from '@ns/data';
import type { Device } from '@ns/graph';
import { writeChart } from '@ns/plot';
import { writeFileAtomic } from '@ns/trainer';
import { type Command, Option } from 'commander';
import { EXIT_INTERRUPTED, onInterrupt } from '../signals.js';
import { readSweepGrid, readTrialResult } from '../sweep/folder.js';
import { expandTrials, parseGrid, type SweepGrid, slug } from '../sweep/grid.js';
import { sampleMosaic } from '../sweep/mosaic.js';
import { sweepReport } from '../sweep/report.js';
import { runSweep } from '../sweep/sweep.js';
import { runTrial } from '../sweep/trial.js';
import type { TrialResult } from '../sweep/types.js';
import { integer } from './options.js';
import { addDeviceOptions } from './train.js';

const CHART_FILES = { metricVsScale: 'metric-vs-b.png', logSnr: 'logsnr.png' } as const;

/** Writes report.md and the two figures (SVG and PNG) into the sweep folder. */
export async function writeSweepReport(
  sweepDir: string,
): Promise<{ path: string; trials: number }> {
  const grid = readSweepGrid(sweepDir);
  const results = expandTrials(grid)
    .map((trial) => readTrialResult(sweepDir, trial.id))
    .filter((r): r is TrialResult => r !== undefined);
  if (results.length === 0) throw new Error(`${sweepDir}: no finished trials to report yet`);
  const report = sweepReport(results, {
    title: `Noise-schedule sweep: ${grid.preset} on ${grid.data}`,
    chartFiles: CHART_FILES,
  });
  for (const [key, png] of Object.entries(CHART_FILES)) {
    const spec = report[key as keyof typeof CHART_FILES];
    await writeChart(spec, join(sweepDir, png));
    await writeChart(spec, join(sweepDir, png.replace(/\.png$/, '.svg')));
  }
  const path = join(sweepDir, 'report.md');
  await writeFileAtomic(path, withSampleMosaics(sweepDir, results, report.markdown));
  return { path, trials: results.length };
}

/**
 * Writes samples[-<schedule>].png (rows b, columns resolution; see sampleMosaic) and links them
 * from the report, before its per-trial table.
 */
function withSampleMosaics(
  sweepDir: string,
  results: readonly TrialResult[],
  markdown: string,
): string {
  const schedules = [...new Set(results.map((r) => r.schedule))];
  const scales = [...new Set(results.map((r) => r.inputScale))].sort((a, b) => a - b);
  const resolutions = [...new Set(results.map((r) => r.resolution))].sort((a, b) => a - b);
  const sections: string[] = [];
  for (const schedule of schedules) {
    const mosaic = sampleMosaic(sweepDir, results, schedule);
    if (mosaic === undefined) continue;
    const file = schedules.length === 1 ? 'samples.png' : `samples-${slug(schedule)}.png`;
    writePng(join(sweepDir, file), mosaic);
    sections.push(
      `![samples, ${schedule}](${file})\n\n${schedule}: rows b = ${scales.join(', ')} (top to bottom), columns ${resolutions.map((r) => `${r}×${r}`).join(', ')}; the first 16 evaluation samples of the lowest seed, all shown at 64×64.`,
    );
  }
  if (sections.length === 0) return markdown;
  const block = `## Samples\n\n${sections.join('\n\n')}\n\n`;
  const trials = markdown.indexOf('## Trials');
  return trials < 0
    ? `${markdown}\n${block}`
    : `${markdown.slice(0, trials)}${block}${markdown.slice(trials)}`;
}

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
  return parseGrid(json);
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
      entry: process.argv[1]!,
      log: (line) => process.stderr.write(`${line}\n`),
    });
    if (outcome.results.length > 0) {
      const report = await writeSweepReport(out);
      process.stdout.write(reportLine(report));
    }
    if (outcome.unfinished.length > 0) {
      process.exitCode = 3; // as an interrupted `ns sweep trial`: not failed, not done
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

  const trial = sweep
    .command('trial', { hidden: true })
    .description('run one trial of a sweep in this process (what `ns sweep` starts per trial)')
    .argument('<dir>', 'sweep folder')
    .argument('<id>', 'trial id (folder under trials/)')
    .addOption(
      new Option('--stop-after <step>', 'stop training after this step').argParser(integer(1)),
    );
  addDeviceOptions(trial).action(
    async (
      dir: string,
      id: string,
      o: { device: Device; threads?: number; stopAfter?: number },
    ) => {
      const grid = readSweepGrid(dir);
      const spec = expandTrials(grid).find((t) => t.id === id);
      if (spec === undefined) throw new Error(`${dir}: no trial ${id} in its grid`);
      const interruption = onInterrupt((signal) =>
        process.stdout.write(`${signal}: checkpointing and stopping\n`),
      );
      try {
        const result = await runTrial({
          sweepDir: dir,
          grid,
          trial: spec,
          device: o.device,
          ...(o.threads === undefined ? {} : { threads: o.threads }),
          ...(o.stopAfter === undefined ? {} : { stopAfter: o.stopAfter }),
          signal: interruption.signal,
          log: (line) => process.stdout.write(`${new Date().toISOString()} ${line}\n`),
        });
        if (result === undefined) process.exitCode = EXIT_INTERRUPTED; // stopped before the budget
      } finally {
        interruption.dispose();
      }
    },
  );
}
