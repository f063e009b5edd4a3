/** `ns rin`: parameter counts, shapes and FLOPs of RIN configs (@ns/rin). */
import { readFileSync } from 'node:fs';
import {
  describeRin,
  formatDescription,
  formatParamBreakdown,
  PRESET_NAMES,
  paramBreakdown,
  parseRinConfig,
  preset,
  type RinConfig,
} from '@ns/rin';
import type { Command } from 'commander';

export interface RinConfigOptions {
  preset?: string;
  config?: string;
}

interface JsonOption {
  json?: boolean;
}

/** The config named by exactly one of --preset / --config, with a title for printing. */
export function loadRinConfig(options: RinConfigOptions): { config: RinConfig; title: string } {
  if ((options.preset === undefined) === (options.config === undefined)) {
    throw new Error(
      `give exactly one of --preset NAME (${PRESET_NAMES.join(', ')}) or --config FILE.json`,
    );
  }
  if (options.preset !== undefined)
    return { config: preset(options.preset), title: options.preset };
  const path = options.config!;
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    throw new Error(`--config ${path}: ${e instanceof Error ? e.message : String(e)}`);
  }
  return { config: parseRinConfig(json), title: path };
}

/** Text of `ns rin params`: `{"params": N}` with --json, else a per-part breakdown. */
export function rinParamsText(options: RinConfigOptions & JsonOption): string {
  const { config } = loadRinConfig(options);
  const b = paramBreakdown(config);
  return options.json ? `${JSON.stringify({ params: b.total })}\n` : formatParamBreakdown(b);
}

/** Text of `ns rin describe`: shapes and forward FLOPs (JSON with --json). */
export function rinDescribeText(options: RinConfigOptions & JsonOption): string {
  const { config, title } = loadRinConfig(options);
  return options.json
    ? `${JSON.stringify({ config, ...describeRin(config) })}\n`
    : formatDescription(config, title);
}

export function registerRin(program: Command): void {
  const rin = program
    .command('rin')
    .description('Recurrent Interface Network configs: parameter counts, shapes and FLOPs');
  const source = (cmd: Command) =>
    cmd
      .option('-p, --preset <name>', `a preset: ${PRESET_NAMES.join(', ')}`)
      .option('-c, --config <file>', 'a RIN config JSON file')
      .option('--json', 'print JSON');

  source(
    rin
      .command('params')
      .description('parameter count: {"params": N} with --json, else a per-part breakdown'),
  ).action((options: RinConfigOptions & JsonOption) => {
    process.stdout.write(rinParamsText(options));
  });

  source(
    rin
      .command('describe')
      .description('interface and latent shapes, parameters and FLOPs per forward pass'),
  ).action((options: RinConfigOptions & JsonOption) => {
    process.stdout.write(rinDescribeText(options));
  });
}
