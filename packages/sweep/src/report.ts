/**
 * The report of a noise-schedule sweep as markdown, laid out like the paper's Table 4 (metric by
 * input scale b × resolution) and Table 3 (metric by schedule × resolution at one b), plus the
 * optimum b per resolution and whether seed noise resolves it. Pure: trial results in, text and
 * chart specs out; the caller writes the files.
 */
import type { ChartSpec } from '@ns/plot';
import { logSnrChart, metricVsScaleChart, resolutionLabel } from './report-charts.js';
import { type Cell, type ResultTable, tabulateResults } from './result-table.js';
import type { TrialResult } from './types.js';

export interface SweepReport {
  readonly markdown: string;
  /** Metric against b, one panel per schedule, one line per resolution. */
  readonly metricVsScale: ChartSpec;
  /** logSNR(t) of every swept (schedule, b) pair. */
  readonly logSnr: ChartSpec;
}

export interface SweepReportOptions {
  /** Top heading; default `Noise-schedule sweep: <metric>`. */
  readonly title?: string;
  /** Where the caller writes the two charts, relative to the markdown file: embedded as images. */
  readonly chartFiles?: { readonly metricVsScale: string; readonly logSnr: string };
}

export function sweepReport(
  results: readonly TrialResult[],
  options: SweepReportOptions = {},
): SweepReport {
  const grid = tabulateResults(results);
  const sections = [
    intro(grid, options.title),
    scaleTable(grid),
    ...scheduleTables(grid),
    optimumSection(grid),
  ];
  if (options.chartFiles !== undefined) sections.push(chartSection(grid, options.chartFiles));
  sections.push(trialTable(grid));
  return {
    markdown: `${sections.join('\n\n')}\n`,
    metricVsScale: metricVsScaleChart(grid),
    logSnr: logSnrChart(grid),
  };
}

// --- number and cell formatting -------------------------------------------------------------

/** Decimal places that show `x` with 3 significant digits (integers when |x| ≥ 100). */
function decimalsFor(x: number): number {
  // Round first so 9.996 counts as 10.0 (1 decimal), not 9.996 (2 decimals → "10.00").
  const rounded = Math.abs(Number(x.toPrecision(3)));
  return rounded === 0 ? 2 : Math.max(0, 2 - Math.floor(Math.log10(rounded)));
}

/** A metric value with 3 significant digits, never in exponent notation. */
export function formatValue(x: number): string {
  return x.toFixed(decimalsFor(x));
}

/** `mean ± sd` with the sd to the mean's decimal places, as tables of means usually print it. */
function formatMeanSd(cell: Cell): string {
  const decimals = decimalsFor(cell.mean);
  const sd = cell.sd === undefined ? '' : ` ± ${cell.sd.toFixed(decimals)}`;
  return `${cell.mean.toFixed(decimals)}${sd}`;
}

/** Table cells cannot contain a raw pipe. */
const escapeCell = (text: string): string => text.replaceAll('|', '\\|');
const MISSING = '–';

function maxSeeds(grid: ResultTable): number {
  return Math.max(...grid.cells.map((c) => c.values.length));
}

/**
 * One table column: its cells top to bottom; the lowest mean is bold (all of them on an exact tie),
 * and a cell with fewer seeds than the others says so, since its ± is less trustworthy.
 */
function columnTexts(cells: readonly (Cell | undefined)[], fullN: number): string[] {
  const present = cells.filter((c): c is Cell => c !== undefined);
  const best = Math.min(...present.map((c) => c.mean));
  return cells.map((cell) => {
    if (cell === undefined) return MISSING;
    const n = cell.values.length < fullN ? ` (n=${cell.values.length})` : '';
    const text = `${formatMeanSd(cell)}${n}`;
    return cell.mean === best ? `**${text}**` : text;
  });
}

/** A markdown table; `numeric[i]` right-aligns column i (default: all but the first). */
function markdownTable(
  header: readonly string[],
  rows: readonly (readonly string[])[],
  numeric: readonly boolean[] = header.map((_, i) => i > 0),
): string {
  const line = (cells: readonly string[]) => `| ${cells.map(escapeCell).join(' | ')} |`;
  const rule = `|${numeric.map((right) => (right ? '---:' : '---')).join('|')}|`;
  return [line(header), rule, ...rows.map(line)].join('\n');
}

/** Builds a table from columns (each a header and its cell texts) next to a row-label column. */
function tableFromColumns(
  corner: string,
  rowLabels: readonly string[],
  columns: readonly { header: string; texts: readonly string[] }[],
): string {
  const rows = rowLabels.map((label, i) => [label, ...columns.map((c) => c.texts[i]!)]);
  return markdownTable([corner, ...columns.map((c) => c.header)], rows);
}

// --- sections -------------------------------------------------------------------------------

function intro(grid: ResultTable, title: string | undefined): string {
  const counts = grid.cells.map((c) => c.values.length);
  const [fewest, most] = [Math.min(...counts), Math.max(...counts)];
  let cells: string;
  if (most === 1) cells = 'Each cell is one seed (n = 1), so seed noise is not measured';
  else {
    const n = fewest === most ? `n = ${most}` : `n = ${fewest}–${most}; n is shown when < ${most}`;
    cells = `Each cell is the mean ± sample standard deviation over seeds (${n})`;
  }
  return [
    `# ${title ?? `Noise-schedule sweep: ${grid.metric}`}`,
    '',
    `Metric: ${grid.metric}, lower is better. ${grid.trials.length} trials: ` +
      `resolutions ${grid.resolutions.join(', ')}; ` +
      `${grid.schedules.length === 1 ? 'schedule' : 'schedules'} ${grid.schedules.join(', ')}; ` +
      `input scales b ${grid.scales.join(', ')}; seeds ${grid.seeds.join(', ')}.`,
    `${cells}; **bold** is the lowest in its column; – was not run.`,
  ].join('\n');
}

/** Table 4: rows b, columns resolution (× schedule when there are several). */
function scaleTable(grid: ResultTable): string {
  const several = grid.schedules.length > 1;
  const fullN = maxSeeds(grid);
  const columns = grid.resolutions.flatMap((resolution) =>
    grid.schedules.flatMap((schedule) => {
      const cells = grid.scales.map((b) => grid.cell(resolution, schedule, b));
      if (cells.every((c) => c === undefined)) return [];
      const header = several
        ? `${resolutionLabel(resolution)} · ${schedule}`
        : resolutionLabel(resolution);
      return [{ header, texts: columnTexts(cells, fullN) }];
    }),
  );
  const heading = `## ${grid.metric} by input scale b (Table 4 layout)`;
  const note = several ? [] : [`Schedule: ${grid.schedules[0]}.`, ''];
  const table = tableFromColumns('b', grid.scales.map(String), columns);
  return [heading, '', ...note, table].join('\n');
}

/** Table 3: rows schedule, columns resolution, one table per b that more than one schedule ran. */
function scheduleTables(grid: ResultTable): string[] {
  if (grid.schedules.length < 2) return [];
  const fullN = maxSeeds(grid);
  return grid.scales.flatMap((b) => {
    const schedules = grid.schedules.filter((s) =>
      grid.resolutions.some((r) => grid.cell(r, s, b) !== undefined),
    );
    if (schedules.length < 2) return [];
    const columns = grid.resolutions.flatMap((resolution) => {
      const cells = schedules.map((s) => grid.cell(resolution, s, b));
      if (cells.every((c) => c === undefined)) return [];
      return [{ header: resolutionLabel(resolution), texts: columnTexts(cells, fullN) }];
    });
    const heading = `## ${grid.metric} by noise schedule at b = ${b} (Table 3 layout)`;
    return [[heading, '', tableFromColumns('schedule γ(t)', schedules, columns)].join('\n')];
  });
}

type Resolved = 'resolved' | 'within noise' | 'unknown' | 'tie' | 'single';

interface Optimum {
  readonly resolution: number;
  readonly best: Cell;
  readonly runnerUp: Cell | undefined;
  readonly resolved: Resolved;
}

/** The lowest-mean b of one (resolution, schedule) and whether seed noise could reverse it. */
function optimum(grid: ResultTable, resolution: number, schedule: string): Optimum | undefined {
  const cells = grid.scales
    .map((b) => grid.cell(resolution, schedule, b))
    .filter((c): c is Cell => c !== undefined);
  // Stable sort: on an exact tie the smaller b comes first.
  const [best, runnerUp] = [...cells].sort((a, b) => a.mean - b.mean);
  if (best === undefined) return undefined;
  let resolved: Resolved;
  if (runnerUp === undefined) resolved = 'single';
  else if (runnerUp.mean === best.mean) resolved = 'tie';
  else if (best.sd === undefined && runnerUp.sd === undefined) resolved = 'unknown';
  else {
    const spread = Math.max(best.sd ?? 0, runnerUp.sd ?? 0);
    resolved = runnerUp.mean - best.mean < spread ? 'within noise' : 'resolved';
  }
  return { resolution, best, runnerUp, resolved };
}

function optimumLine(grid: ResultTable, o: Optimum, schedule: string): string {
  const label =
    grid.schedules.length > 1
      ? `${resolutionLabel(o.resolution)} · ${schedule}`
      : resolutionLabel(o.resolution);
  const { best, runnerUp } = o;
  const seeds = (c: Cell) => `${formatMeanSd(c)}, n=${c.values.length}`;
  const head = `- ${label}: optimum b = ${best.inputScale} (${grid.metric} ${seeds(best)})`;
  if (runnerUp === undefined) return `${head}; the only b run, so nothing to compare.`;
  const margin = formatValue(runnerUp.mean - best.mean);
  const spread = formatValue(Math.max(best.sd ?? 0, runnerUp.sd ?? 0));
  let reason: string;
  if (o.resolved === 'resolved') reason = `margin ${margin} ≥ larger seed sd ${spread}: resolved`;
  else if (o.resolved === 'within noise') {
    reason = `margin ${margin} < larger seed sd ${spread}: within seed noise, not resolved`;
  } else if (o.resolved === 'tie') reason = 'equal means: a tie, not resolved';
  else reason = `margin ${margin}, one seed per cell: seed noise unknown, not resolved`;
  return `${head}; runner-up b = ${runnerUp.inputScale} (${seeds(runnerUp)}); ${reason}.`;
}

/** One sentence on how the optimum b moves with resolution, from the numbers alone. */
function trendLine(grid: ResultTable, optima: readonly Optimum[], schedule: string): string {
  const subject = `Trend${grid.schedules.length > 1 ? ` (${schedule})` : ''}`;
  const compared = optima.filter((o) => o.resolved !== 'single');
  if (compared.length < 2) {
    return `${subject}: fewer than two resolutions compare several b, so there is no trend to report.`;
  }
  const bs = compared.map((o) => o.best.inputScale);
  const path = compared
    .map((o) => `${o.best.inputScale} at ${resolutionLabel(o.resolution)}`)
    .join(' → ');
  const nonIncreasing = bs.every((b, i) => i === 0 || b <= bs[i - 1]!);
  const constant = bs.every((b) => b === bs[0]);
  let verdict: string;
  if (constant) verdict = 'does not fall as resolution rises; it stays the same';
  else if (nonIncreasing) verdict = 'falls as resolution rises';
  else verdict = 'does not fall monotonically as resolution rises';
  const unresolved = compared
    .filter((o) => o.resolved !== 'resolved')
    .map((o) => resolutionLabel(o.resolution));
  const caveat =
    unresolved.length === 0
      ? ''
      : `; the optimum is not resolved by the seeds at ${unresolved.join(', ')}`;
  return `${subject}: the optimum b ${verdict} (${path})${caveat}.`;
}

function optimumSection(grid: ResultTable): string {
  const lines = [`## Optimum input scale b (lowest mean ${grid.metric})`, ''];
  const trends: string[] = [];
  for (const schedule of grid.schedules) {
    const optima = grid.resolutions
      .map((r) => optimum(grid, r, schedule))
      .filter((o): o is Optimum => o !== undefined);
    lines.push(...optima.map((o) => optimumLine(grid, o, schedule)));
    trends.push(trendLine(grid, optima, schedule));
  }
  return [...lines, '', ...trends].join('\n');
}

function chartSection(
  grid: ResultTable,
  files: NonNullable<SweepReportOptions['chartFiles']>,
): string {
  return [
    '## Charts',
    '',
    `![${grid.metric} against input scale b](${files.metricVsScale})`,
    '',
    `Lines join the seed means; dashed bars span the lowest to the highest seed.`,
    '',
    `![logSNR(t) of the swept schedules and input scales](${files.logSnr})`,
  ].join('\n');
}

/** Every trial, so the per-seed values behind each mean stay visible. */
function trialTable(grid: ResultTable): string {
  const header = [
    'id',
    'resolution',
    'schedule',
    'b',
    'seed',
    grid.metric,
    'samples',
    'step',
    'final loss',
    'train min',
    'eval min',
  ];
  const minutes = (seconds: number) => (seconds / 60).toFixed(1);
  const rows = grid.trials.map((t) => [
    t.id,
    String(t.resolution),
    t.schedule,
    String(t.inputScale),
    String(t.seed),
    formatValue(t.value),
    String(t.samples),
    String(t.step),
    formatValue(t.finalLoss),
    minutes(t.trainSeconds),
    minutes(t.evalSeconds),
  ]);
  const numeric = header.map((h) => h !== 'id' && h !== 'schedule');
  return ['## Trials', '', markdownTable(header, rows, numeric)].join('\n');
}
