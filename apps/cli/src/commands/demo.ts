/**
 * `ns demo`: the README's main job on a built-in default. For now: the paper's schedules as a table
 * and a figure; later issues grow it into train → sample → FID.
 */
import { join, resolve } from 'node:path';
import type { Command } from 'commander';
import { writeChart } from '../plot/index.js';
import { scheduleChart } from '../schedule/chart.js';
import { formatScheduleTable } from '../schedule/format.js';
import { DEFAULT_TIMES, PAPER_SCHEDULES, sampleSchedule } from '../schedule/sample.js';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description(
      "the main job on built-in defaults: the paper's noise schedules as a table and a plot",
    )
    .option('-o, --out <dir>', 'output folder', 'ns-demo')
    .action(async (options: { out: string }) => {
      const samples = PAPER_SCHEDULES.map((spec) => sampleSchedule(spec, 1, [...DEFAULT_TIMES]));
      process.stdout.write(
        'The noise schedules of Chen 2023 (Algorithm 1; `cosine` is the inference schedule):\n\n',
      );
      process.stdout.write(formatScheduleTable(samples));
      const withScaling = [
        ...PAPER_SCHEDULES.map((spec) => ({ spec, scale: 1 })),
        { spec: 'simple_linear', scale: 0.5 },
        { spec: 'simple_linear', scale: 0.1 },
      ];
      const chart = scheduleChart(withScaling);
      const svg = join(options.out, 'schedules.svg');
      const png = join(options.out, 'schedules.png');
      await writeChart(chart, svg);
      await writeChart(chart, png);
      process.stdout.write(
        `\nPlot (γ(t) and logSNR(t), with 1 − t at input scales 0.5 and 0.1):\n  ${resolve(png)}\n  ${resolve(svg)}\n`,
      );
    });
}
