/** `ns schedule`: print, plot, grid, export and advise on noise schedules (@ns/schedules). */

import { writeChart } from '@ns/plot';
import {
  type InputScaleRule,
  RESOLUTION_RULES,
  resolutionRule,
  resolutionRules,
  TIMESTEP_SPACINGS,
  type TimestepSpacing,
} from '@ns/schedules';
import { type Command, Option } from 'commander';
import { scheduleChart } from '../schedule/chart.js';
import { describeConfig, writeDiffusersConfig } from '../schedule/diffusers.js';
import { formatScheduleTable } from '../schedule/format.js';
import { formatGridTable, sampleGrid } from '../schedule/grid.js';
import { formatRulesTable, rulesChart } from '../schedule/rules.js';
import {
  DEFAULT_TIMES,
  PAPER_SCHEDULES,
  pairScales,
  parseScale,
  parseTimes,
  sampleSchedule,
} from '../schedule/sample.js';
import { integer } from './options.js';

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
  rule?: InputScaleRule;
  json?: boolean;
  plot?: string;
}

interface GridOptions {
  schedule: string;
  scale: number;
  steps: number;
  spacing: string;
  json?: boolean;
}

interface DiffusersOptions {
  schedule: string;
  scale: number;
  out: string;
  trainSteps: number;
  spacing: TimestepSpacing;
  stepsOffset: number;
  predict: 'eps' | 'x' | 'v';
  variance: 'large' | 'small';
  zeroSnr?: boolean;
  clip: boolean;
}

const SPEC_HELP =
  '\nSpecs: simple_linear | cosine | cosine@s,e,τ | sigmoid@s,e,τ | iddpm_cosine | shifted_cosine@d,n | interpolated_cosine@d,lo,hi | lognormal@mean,std | edm@P_mean,P_std | logit_normal@m,s | laplace@μ,b | rectified_flow, each optionally +scale=B, +shift=S, +clip=C';

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
    .addHelpText('after', SPEC_HELP)
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
    .description(
      'input scale b / shift s for a resolution: Chen 2023 Table 1, simple diffusion, SD3 and Flux side by side',
    )
    .requiredOption('-r, --resolution <d>', 'image side in pixels', (v: string) => {
      const d = Number(v);
      if (!(d > 0 && Number.isFinite(d)))
        throw new RangeError(`--resolution must be a number > 0, got ${JSON.stringify(v)}`);
      return d;
    })
    .addOption(
      new Option('--rule <rule>', 'print only this rule (chen2023 = Table 1)').choices([
        ...RESOLUTION_RULES,
      ]),
    )
    .option('--json', 'print JSON: {"resolution","rules":[…]}, or the one rule with --rule')
    .option('--plot <file>', 'also draw every rule against resolution (.svg or .png)')
    .action(async (options: SuggestOptions) => {
      if (options.rule !== undefined) {
        const advice = resolutionRule(options.resolution, options.rule);
        if (options.json) {
          process.stdout.write(`${JSON.stringify(advice)}\n`);
        } else {
          const b = Number(advice.scale.toPrecision(6));
          process.stdout.write(
            `${[
              `resolution ${advice.resolution}: input scale b = ${b} (shift s = ${Number(advice.shift.toPrecision(6))}), schedule ${advice.schedule}`,
              `train with --schedule '${advice.schedule}' --scale ${b}, or as its authors do: --schedule '${advice.spec}'`,
              `source: ${advice.source}${advice.exact ? '' : ' — not a table row'}`,
            ].join('\n')}\n`,
          );
        }
      } else {
        const rules = resolutionRules(options.resolution);
        process.stdout.write(
          options.json
            ? `${JSON.stringify({ resolution: options.resolution, rules })}\n`
            : formatRulesTable(rules),
        );
      }
      if (options.plot !== undefined) {
        await writeChart(rulesChart(options.resolution), options.plot);
        if (!options.json) process.stdout.write(`wrote ${options.plot}\n`);
      }
    });

  schedule
    .command('grid')
    .description("the sampler's time grid: t and γ at every step for a spacing")
    .requiredOption(
      '-s, --schedule <spec>',
      'inference schedule spec (e.g. cosine, rectified_flow+shift=3)',
    )
    .option('-b, --scale <b>', 'input scale b', parseScale, 1)
    .requiredOption('-n, --steps <n>', 'number of sampling steps', integer(1))
    .option(
      '--spacing <spec>',
      'uniform | leading[@T[,offset]] | trailing[@T] | linspace[@T] | karras[@σmin,σmax[,ρ]]',
      'uniform',
    )
    .option(
      '--json',
      'print JSON: {"schedule","scale","steps","spacing","tNow","tNext","gammaNow","gammaNext","logSnrNow"}',
    )
    .action((options: GridOptions) => {
      const grid = sampleGrid(options.schedule, options.scale, options.steps, options.spacing);
      process.stdout.write(options.json ? `${JSON.stringify(grid)}\n` : formatGridTable(grid));
    });

  schedule
    .command('diffusers')
    .description(
      'write a diffusers scheduler_config.json (DDPMScheduler with trained_betas) for any schedule',
    )
    .requiredOption('-s, --schedule <spec>', 'training schedule spec')
    .option(
      '-b, --scale <b>',
      'input scale b (the betas follow its variance-preserving equivalent)',
      parseScale,
      1,
    )
    .requiredOption('-o, --out <dir>', 'folder to write scheduler_config.json into')
    .option('-T, --train-steps <n>', 'num_train_timesteps', integer(2), 1000)
    .addOption(
      new Option('--spacing <spacing>', 'timestep_spacing')
        .choices([...TIMESTEP_SPACINGS])
        .default('trailing'),
    )
    .option('--steps-offset <n>', 'steps_offset', integer(0), 0)
    .addOption(
      new Option('--predict <target>', 'what the network predicts')
        .choices(['eps', 'x', 'v'])
        .default('eps'),
    )
    .addOption(
      new Option('--variance <kind>', 'DDPM variance: large (the paper) or small')
        .choices(['large', 'small'])
        .default('large'),
    )
    .option('--zero-snr', 'set rescale_betas_zero_snr (Lin et al. 2023) in the config')
    .option('--no-clip', 'clip_sample false')
    .action(async (options: DiffusersOptions) => {
      const written = await writeDiffusersConfig(options.schedule, options.scale, options.out, {
        trainSteps: options.trainSteps,
        spacing: options.spacing,
        stepsOffset: options.stepsOffset,
        predict: options.predict,
        variance: options.variance,
        zeroTerminalSnr: options.zeroSnr ?? false,
        clipSample: options.clip,
      });
      process.stdout.write(describeConfig(written));
    });
}
