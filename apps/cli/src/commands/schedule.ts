/** `ns schedule`: print, plot and advise on noise schedules (@ns/schedules). */
import { suggestInputScale } from '@ns/schedules';
import { type Command, Option } from 'commander';
import { writeChart } from '../plot/index.js';
import { scheduleChart } from '../schedule/chart.js';
import { formatScheduleTable } from '../schedule/format.js';
import {
  DEFAULT_TIMES,
  PAPER_SCHEDULES,
  pairScales,
  parseScale,
  parseTimes,
  sampleSchedule,
} from '../schedule/sample.js';

const collect = (value: string, previous: string[] = []): string[] => [...previous, value];
const collectScale = (value: string, previous: number[] = []): number[] => [
  ...previous,
  parseScale(value),
];

interface PrintOptions {
  schedule?: string[];
  scale?: number[];
  t?: number[];
  json?: boolean;
}

interface PlotOptions {
  schedule?: string[];
  scale?: number[];
  out: string;
}

interface SuggestOptions {
  resolution: number;
  rule: 'chen2023' | 'simpleDiffusion';
  json?: boolean;
}

export function registerSchedule(program: Command): void {
  const schedule = program
    .command('schedule')
    .description('print γ(t) and logSNR(t) of noise schedules; `plot` and `suggest` below')
    .enablePositionalOptions()
    .option(
      '-s, --schedule <spec>',
      'schedule spec, repeatable (e.g. simple_linear, cosine@0.2,1,1, sigmoid@0,3,0.5)',
      collect,
    )
    .option(
      '-b, --scale <b>',
      'input scale b, one for all or one per --schedule (default 1)',
      collectScale,
    )
    .option(
      '--t <list>',
      `comma-separated times in [0, 1] (default ${DEFAULT_TIMES.join(',')})`,
      parseTimes,
    )
    .option(
      '--json',
      'print JSON: {"schedule","scale","t","gamma","logSnr"} (an array for several schedules)',
    )
    .addHelpText(
      'after',
      '\nSpecs: simple_linear | cosine | cosine@s,e,τ | sigmoid@s,e,τ | iddpm_cosine | shifted_cosine@d,n | interpolated_cosine@d,lo,hi, each optionally +scale=B, +clip=C',
    )
    .action((options: PrintOptions) => {
      const specs = options.schedule ?? [...PAPER_SCHEDULES];
      const scales = pairScales(specs, options.scale ?? []);
      const t = options.t ?? [...DEFAULT_TIMES];
      const samples = specs.map((spec, i) => sampleSchedule(spec, scales[i]!, t));
      if (options.json) {
        process.stdout.write(`${JSON.stringify(samples.length === 1 ? samples[0] : samples)}\n`);
      } else {
        process.stdout.write(formatScheduleTable(samples));
      }
    });

  schedule
    .command('plot')
    .description('draw γ(t) and logSNR(t) side by side, with a legend (.svg or .png)')
    .option(
      '-s, --schedule <spec>',
      "schedule spec, repeatable (default: the paper's schedules)",
      collect,
    )
    .option('-b, --scale <b>', 'input scale b, one for all or one per --schedule', collectScale)
    .requiredOption('-o, --out <file>', 'output file, .svg or .png')
    .action(async (options: PlotOptions) => {
      const specs = options.schedule ?? [...PAPER_SCHEDULES];
      const scales = pairScales(specs, options.scale ?? []);
      await writeChart(
        scheduleChart(specs.map((spec, i) => ({ spec, scale: scales[i]! }))),
        options.out,
      );
      process.stdout.write(`wrote ${options.out}\n`);
    });

  schedule
    .command('suggest')
    .description('advised input scale b and schedule for a resolution (paper Table 1)')
    .requiredOption('-r, --resolution <d>', 'image side in pixels', (v: string) => {
      const d = Number(v);
      if (!(d > 0 && Number.isFinite(d)))
        throw new RangeError(`--resolution must be a number > 0, got ${JSON.stringify(v)}`);
      return d;
    })
    .addOption(
      new Option('--rule <rule>', 'chen2023 (Table 1) or simpleDiffusion (b = 64/d)')
        .choices(['chen2023', 'simpleDiffusion'])
        .default('chen2023'),
    )
    .option('--json', 'print JSON')
    .action((options: SuggestOptions) => {
      const advice = suggestInputScale(options.resolution, options.rule);
      const spec =
        advice.scale === 1
          ? advice.schedule
          : `${advice.schedule}+scale=${Number(advice.scale.toPrecision(6))}`;
      if (options.json) {
        process.stdout.write(`${JSON.stringify({ ...advice, spec })}\n`);
        return;
      }
      const lines = [
        `resolution ${advice.resolution}: input scale b = ${Number(advice.scale.toPrecision(6))}, schedule ${advice.schedule}`,
        `train with --schedule '${spec}'`,
        `source: ${advice.source}${advice.exact ? '' : ' — not a table row'}`,
      ];
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
