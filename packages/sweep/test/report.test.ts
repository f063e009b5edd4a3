/**
 * The sweep report on synthetic results whose answers are known: which cells are bold, what the
 * tables hold, which b is optimal and whether seed noise resolves it, and the two charts.
 */
import { escapeXml, lineChartSvg, type PanelSpec } from '@ns/plot';
import { parseSchedule, withInputScale } from '@ns/schedules';
import { formatValue, sweepReport } from '../src/report';
import type { TrialResult } from '../src/types';

function trial(
  resolution: number,
  schedule: string,
  inputScale: number,
  seed: number,
  value: number,
): TrialResult {
  return {
    resolution,
    schedule,
    inputScale,
    seed,
    id: `r${resolution}-${schedule}-b${inputScale}-s${seed}`,
    metric: 'FD_mnist',
    value,
    samples: 1000,
    step: 2000,
    finalLoss: 0.0312,
    trainSeconds: 90,
    evalSeconds: 30,
  };
}

type Table = Record<number, Record<number, readonly number[]>>;

/** Trials from per-seed values (seed = index) by resolution and b. */
function fromTable(table: Table, schedule = 'simple_linear'): TrialResult[] {
  return Object.entries(table).flatMap(([resolution, byScale]) =>
    Object.entries(byScale).flatMap(([b, values]) =>
      values.map((v, seed) => trial(Number(resolution), schedule, Number(b), seed, v)),
    ),
  );
}

/** Optimum b = 1 at 32, 0.7 at 64, 0.5 at 128 (seeds 0, 1; most cells mean ± 0.1). */
const FALLING: Table = {
  32: { 0.3: [19.9, 20.1], 0.5: [14.9, 15.1], 0.7: [11.9, 12.1], 1: [9.9, 10.1] },
  // b = 1 is only 0.1 worse than b = 0.7, less than one seed sd (0.141): not resolved.
  64: { 0.3: [17.9, 18.1], 0.5: [13.9, 14.1], 0.7: [10.9, 11.1], 1: [11.0, 11.2] },
  // b = 0.5 has a wide seed spread (sd 1.41) but still beats b = 0.7 by 2.
  128: { 0.3: [15.9, 16.1], 0.5: [11, 13], 0.7: [13.9, 14.1], 1: [16.9, 17.1] },
};

/** The lines of the markdown section whose heading starts with `heading`, up to the next one. */
function section(markdown: string, heading: string): string[] {
  const lines = markdown.split('\n');
  const start = lines.findIndex((l) => l.startsWith(`## ${heading}`));
  if (start < 0) throw new Error(`no section "${heading}" in:\n${markdown}`);
  const end = lines.findIndex((l, i) => i > start && l.startsWith('## '));
  return lines.slice(start + 1, end < 0 ? undefined : end);
}

const tableLines = (markdown: string, heading: string): string[] =>
  section(markdown, heading).filter((l) => l.startsWith('|'));

/** The cells of a markdown table row. */
const cellsOf = (row: string): string[] =>
  row
    .slice(2, -2)
    .split(' | ')
    .map((c) => c.trim());

/** [row label, column header] of every bold cell of a table. */
function boldCells(lines: readonly string[]): [string, string][] {
  const header = cellsOf(lines[0]!);
  return lines.slice(2).flatMap((row) => {
    const cells = cellsOf(row);
    return cells.flatMap((c, i): [string, string][] =>
      c.startsWith('**') ? [[cells[0]!, header[i]!]] : [],
    );
  });
}

describe('sweepReport: one schedule, optimum b falling with resolution', () => {
  const report = sweepReport(fromTable(FALLING));
  const md = report.markdown;

  it('opens with the metric, the grid and how to read a cell', () => {
    expect(md.split('\n').slice(0, 4)).toEqual([
      '# Noise-schedule sweep: FD_mnist',
      '',
      'Metric: FD_mnist, lower is better. 24 trials: resolutions 32, 64, 128; ' +
        'schedule simple_linear; input scales b 0.3, 0.5, 0.7, 1; seeds 0, 1.',
      'Each cell is the mean ± sample standard deviation over seeds (n = 2); ' +
        '**bold** is the lowest in its column; – was not run.',
    ]);
  });

  it('lays out Table 4: rows b ascending, columns resolution ascending, mean ± sd', () => {
    expect(section(md, 'FD_mnist by input scale b')[1]).toBe('Schedule: simple_linear.');
    expect(tableLines(md, 'FD_mnist by input scale b (Table 4 layout)')).toEqual([
      '| b | 32×32 | 64×64 | 128×128 |',
      '|---|---:|---:|---:|',
      '| 0.3 | 20.0 ± 0.1 | 18.0 ± 0.1 | 16.0 ± 0.1 |',
      '| 0.5 | 15.0 ± 0.1 | 14.0 ± 0.1 | **12.0 ± 1.4** |',
      '| 0.7 | 12.0 ± 0.1 | **11.0 ± 0.1** | 14.0 ± 0.1 |',
      '| 1 | **10.0 ± 0.1** | 11.1 ± 0.1 | 17.0 ± 0.1 |',
    ]);
  });

  it('bolds exactly the lowest mean of each column', () => {
    expect(boldCells(tableLines(md, 'FD_mnist by input scale b'))).toEqual([
      ['0.5', '128×128'],
      ['0.7', '64×64'],
      ['1', '32×32'],
    ]);
  });

  it('has no Table 3 with a single schedule, and no charts section unless asked', () => {
    expect(md).not.toContain('Table 3');
    expect(md).not.toContain('## Charts');
    expect(md).not.toContain('![');
  });

  it('names the optimum b per resolution and whether the seeds resolve it', () => {
    expect(section(md, 'Optimum input scale b')).toEqual([
      '',
      '- 32×32: optimum b = 1 (FD_mnist 10.0 ± 0.1, n=2); runner-up b = 0.7 (12.0 ± 0.1, n=2); ' +
        'margin 2.00 ≥ larger seed sd 0.141: resolved.',
      '- 64×64: optimum b = 0.7 (FD_mnist 11.0 ± 0.1, n=2); runner-up b = 1 (11.1 ± 0.1, n=2); ' +
        'margin 0.100 < larger seed sd 0.141: within seed noise, not resolved.',
      '- 128×128: optimum b = 0.5 (FD_mnist 12.0 ± 1.4, n=2); runner-up b = 0.7 (14.0 ± 0.1, n=2); ' +
        'margin 2.00 ≥ larger seed sd 1.41: resolved.',
      '',
      'Trend: the optimum b falls as resolution rises (1 at 32×32 → 0.7 at 64×64 → 0.5 at ' +
        '128×128); the optimum is not resolved by the seeds at 64×64.',
      '',
    ]);
  });

  it('lists every trial with its own value, sorted by resolution, b and seed', () => {
    const rows = tableLines(md, 'Trials');
    expect(rows[0]).toBe(
      '| id | resolution | schedule | b | seed | FD_mnist | samples | step | final loss | ' +
        'train min | eval min |',
    );
    expect(rows[1]).toBe('|---|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|');
    expect(rows).toHaveLength(2 + 24);
    expect(rows[2]).toBe(
      '| r32-simple_linear-b0.3-s0 | 32 | simple_linear | 0.3 | 0 | 19.9 | 1000 | 2000 | 0.0312 | 1.5 | 0.5 |',
    );
    expect(rows.slice(2).map((r) => cellsOf(r)[5])).toEqual(
      Object.values(FALLING).flatMap((byScale) =>
        [0.3, 0.5, 0.7, 1].flatMap((b) => byScale[b]!.map(formatValue)),
      ),
    );
    expect(md.endsWith('| 1.5 | 0.5 |\n')).toBe(true);
  });

  it('takes a title and embeds the chart files when given', () => {
    const withCharts = sweepReport(fromTable(FALLING), {
      title: 'MNIST sweep',
      chartFiles: { metricVsScale: 'charts/metric.png', logSnr: 'charts/logsnr.svg' },
    }).markdown;
    expect(withCharts.startsWith('# MNIST sweep\n')).toBe(true);
    expect(section(withCharts, 'Charts').filter((l) => l.startsWith('!['))).toEqual([
      '![FD_mnist against input scale b](charts/metric.png)',
      '![logSNR(t) of the swept schedules and input scales](charts/logsnr.svg)',
    ]);
  });
});

describe('sweepReport: the trend sentence', () => {
  const trend = (table: Table) =>
    sweepReport(fromTable(table))
      .markdown.split('\n')
      .filter((l) => l.startsWith('Trend'));

  it('says so when the optimum b rises somewhere', () => {
    expect(
      trend({ 32: { 0.5: [1], 1: [2] }, 64: { 0.5: [2], 1: [1] }, 128: { 0.5: [1], 1: [2] } }),
    ).toEqual([
      'Trend: the optimum b does not fall monotonically as resolution rises ' +
        '(0.5 at 32×32 → 1 at 64×64 → 0.5 at 128×128); the optimum is not resolved by the ' +
        'seeds at 32×32, 64×64, 128×128.',
    ]);
  });

  it('does not call a constant optimum a fall', () => {
    expect(
      trend({ 32: { 0.5: [1, 1.2], 1: [5, 5.2] }, 64: { 0.5: [2, 2.2], 1: [6, 6.2] } }),
    ).toEqual([
      'Trend: the optimum b does not fall as resolution rises; it stays the same ' +
        '(0.5 at 32×32 → 0.5 at 64×64).',
    ]);
  });

  it('skips resolutions with a single b and needs two that compare', () => {
    expect(trend({ 32: { 1: [3] }, 64: { 0.5: [2], 1: [1] } })).toEqual([
      'Trend: fewer than two resolutions compare several b, so there is no trend to report.',
    ]);
  });
});

describe('sweepReport: two schedules (Table 3 and Table 4 shapes)', () => {
  // Table 4 of the paper at 64 and 128 (b = 0.5 and 1), one seed, in the paper's column order.
  const results = [
    ...fromTable({ 64: { 1: [2.15] }, 128: { 1: [4.9] } }, 'cosine@0.2,1,1'),
    ...fromTable({ 64: { 0.5: [3.79], 1: [2.04] }, 128: { 0.5: [3.9], 1: [4.51] } }),
  ];
  const md = sweepReport(results).markdown;

  it('has a column per (resolution, schedule), schedules in order of appearance, – if not run', () => {
    expect(tableLines(md, 'FD_mnist by input scale b (Table 4 layout)')).toEqual([
      '| b | 64×64 · cosine@0.2,1,1 | 64×64 · simple_linear | 128×128 · cosine@0.2,1,1 | ' +
        '128×128 · simple_linear |',
      '|---|---:|---:|---:|---:|',
      '| 0.5 | – | 3.79 | – | **3.90** |',
      '| 1 | **2.15** | **2.04** | **4.90** | 4.51 |',
    ]);
    expect(section(md, 'FD_mnist by input scale b')).not.toContain('Schedule: simple_linear.');
  });

  it('leaves out a (resolution, schedule) column that was never run', () => {
    const partial = sweepReport([
      ...fromTable({ 64: { 1: [2.15] } }, 'cosine@0.2,1,1'),
      ...fromTable({ 64: { 1: [2.04] }, 128: { 1: [4.51] } }),
    ]).markdown;
    expect(tableLines(partial, 'FD_mnist by input scale b')[0]).toBe(
      '| b | 64×64 · cosine@0.2,1,1 | 64×64 · simple_linear | 128×128 · simple_linear |',
    );
    expect(tableLines(partial, 'FD_mnist by noise schedule at b = 1')).toEqual([
      '| schedule γ(t) | 64×64 | 128×128 |',
      '|---|---:|---:|',
      '| cosine@0.2,1,1 | 2.15 | – |',
      '| simple_linear | **2.04** | **4.51** |',
    ]);
  });

  it('has one Table 3 (b = 1, the only b both schedules ran), bold per resolution', () => {
    expect(md.match(/Table 3 layout/g)).toHaveLength(1);
    expect(tableLines(md, 'FD_mnist by noise schedule at b = 1 (Table 3 layout)')).toEqual([
      '| schedule γ(t) | 64×64 | 128×128 |',
      '|---|---:|---:|',
      '| cosine@0.2,1,1 | 2.15 | 4.90 |',
      '| simple_linear | **2.04** | **4.51** |',
    ]);
  });

  it('states optima per schedule; one seed cannot resolve them', () => {
    const lines = section(md, 'Optimum input scale b').filter((l) => l !== '');
    expect(lines).toEqual([
      '- 64×64 · cosine@0.2,1,1: optimum b = 1 (FD_mnist 2.15, n=1); the only b run, so ' +
        'nothing to compare.',
      '- 128×128 · cosine@0.2,1,1: optimum b = 1 (FD_mnist 4.90, n=1); the only b run, so ' +
        'nothing to compare.',
      '- 64×64 · simple_linear: optimum b = 1 (FD_mnist 2.04, n=1); runner-up b = 0.5 ' +
        '(3.79, n=1); margin 1.75, one seed per cell: seed noise unknown, not resolved.',
      '- 128×128 · simple_linear: optimum b = 0.5 (FD_mnist 3.90, n=1); runner-up b = 1 ' +
        '(4.51, n=1); margin 0.610, one seed per cell: seed noise unknown, not resolved.',
      'Trend (cosine@0.2,1,1): fewer than two resolutions compare several b, so there is no ' +
        'trend to report.',
      'Trend (simple_linear): the optimum b falls as resolution rises (1 at 64×64 → 0.5 at ' +
        '128×128); the optimum is not resolved by the seeds at 64×64, 128×128.',
    ]);
    expect(md).toContain('Each cell is one seed (n = 1), so seed noise is not measured;');
  });
});

describe('sweepReport: cell statistics and formatting', () => {
  it('uses the sample sd and shows n where a cell has fewer seeds than the others', () => {
    const md = sweepReport(
      fromTable({ 32: { 0.5: [1, 2, 3], 1: [2.5], 2: [100, 200, 330] } }),
    ).markdown;
    expect(tableLines(md, 'FD_mnist by input scale b')).toEqual([
      '| b | 32×32 |',
      '|---|---:|',
      '| 0.5 | **2.00 ± 1.00** |',
      '| 1 | 2.50 (n=1) |',
      '| 2 | 210 ± 115 |',
    ]);
    expect(md).toContain('over seeds (n = 1–3; n is shown when < 3)');
    // Tie-free margin 0.5 against the larger sd 1.00 of the two: within noise.
    expect(md).toContain('margin 0.500 < larger seed sd 1.00: within seed noise, not resolved.');
  });

  it('calls equal means a tie', () => {
    const md = sweepReport(fromTable({ 32: { 0.5: [4, 6], 1: [5, 5] } })).markdown;
    expect(md).toContain(
      '- 32×32: optimum b = 0.5 (FD_mnist 5.00 ± 1.41, n=2); runner-up b = 1 (5.00 ± 0.00, ' +
        'n=2); equal means: a tie, not resolved.',
    );
    expect(tableLines(md, 'FD_mnist by input scale b').slice(2)).toEqual([
      '| 0.5 | **5.00 ± 1.41** |',
      '| 1 | **5.00 ± 0.00** |',
    ]);
  });

  it.each([
    [12.345, '12.3'],
    [2.04, '2.04'],
    [4.9, '4.90'],
    [0.001234, '0.00123'],
    [123.4, '123'],
    [1234.5, '1235'],
    [9.996, '10.0'],
    [-0.5, '-0.500'],
    [0, '0.00'],
  ])('formats %p with 3 significant digits as %p', (value, text) => {
    expect(formatValue(value)).toBe(text);
  });

  it('escapes a pipe in a trial id so the table keeps its columns', () => {
    const [a] = fromTable({ 32: { 1: [1] } });
    const md = sweepReport([{ ...a!, id: 'a|b' }]).markdown;
    expect(md).toContain('| a\\|b | 32 | simple_linear | 1 |');
  });
});

describe('sweepReport: errors', () => {
  it('rejects an empty result list', () => {
    expect(() => sweepReport([])).toThrow('sweepReport: no trial results to report');
  });

  it('rejects mixed metrics', () => {
    const results = fromTable({ 32: { 1: [1] }, 64: { 1: [2] } });
    const mixed = [results[0]!, { ...results[1]!, metric: 'FID' }];
    expect(() => sweepReport(mixed)).toThrow(
      'sweepReport: trials measure different metrics (FD_mnist in r32-simple_linear-b1-s0, ' +
        'FID in r64-simple_linear-b1-s0); a report compares one metric',
    );
  });

  it('rejects two results for one grid point and seed', () => {
    const [a] = fromTable({ 32: { 1: [1] } });
    expect(() => sweepReport([a!, { ...a!, id: 'again' }])).toThrow(
      'sweepReport: trials r32-simple_linear-b1-s0 and again are the same grid point',
    );
  });

  it.each([
    [{ value: Number.NaN }, 'has a non-finite FD_mnist (NaN)'],
    [{ inputScale: 0 }, 'has input scale 0'],
    [{ resolution: 31.5 }, 'has resolution 31.5'],
  ])('rejects a trial with %p', (change, message) => {
    const [a] = fromTable({ 32: { 1: [1] } });
    expect(() => sweepReport([{ ...a!, ...change }])).toThrow(message);
  });
});

/** Series names of a panel with how many series carry each, in order of first appearance. */
function seriesCounts(panel: PanelSpec): [string, number][] {
  const counts = new Map<string, number>();
  for (const s of panel.series) counts.set(s.name, (counts.get(s.name) ?? 0) + 1);
  return [...counts];
}

const svgSeriesCount = (svg: string, name: string): number =>
  svg.split(`data-series="${escapeXml(name)}"`).length - 1;

const legendLabels = (svg: string): string[] =>
  [...svg.matchAll(/<text class="legend-label"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);

describe('sweepReport: metric against b chart', () => {
  const chart = sweepReport(fromTable(FALLING)).metricVsScale;
  const panel = chart.panels[0]!;

  it('has one panel per schedule and, per resolution, mean line, mean ticks and seed bars', () => {
    expect(chart.panels).toHaveLength(1);
    expect(panel.title).toBe('simple_linear');
    expect(panel.yLabel).toBe('FD_mnist (lower is better)');
    expect(seriesCounts(panel)).toEqual([
      ['32×32', 3],
      ['64×64', 3],
      ['128×128', 3],
    ]);
    const [line, ticks, bars] = panel.series.slice(6, 9);
    expect(Array.from(line!.x)).toEqual([0.3, 0.5, 0.7, 1]);
    expect(Array.from(line!.y)).toEqual([16, 12, 14, 17].map((v) => expect.closeTo(v, 12)));
    expect(line!.dash).toBeUndefined();
    expect(ticks!.dash).toBeUndefined();
    expect(Array.from(ticks!.y).filter((v) => !Number.isNaN(v))).toHaveLength(8);
    // The seed range of each cell as a dashed vertical bar, NaN between bars.
    expect(bars!.dash).toBe(true);
    expect(Array.from(bars!.x).slice(0, 6)).toEqual([0.3, 0.3, Number.NaN, 0.5, 0.5, Number.NaN]);
    expect(Array.from(bars!.y).slice(0, 6)).toEqual([15.9, 16.1, Number.NaN, 11, 13, Number.NaN]);
  });

  it('renders with one legend entry and three paths per resolution', () => {
    const svg = lineChartSvg(chart);
    expect(legendLabels(svg)).toEqual(['32×32', '64×64', '128×128']);
    for (const name of ['32×32', '64×64', '128×128']) expect(svgSeriesCount(svg, name)).toBe(3);
    expect(svg.match(/stroke-dasharray="7 4"/g)).toHaveLength(3);
    expect(svg).toContain('FD_mnist vs b (dashed: seed range)');
  });

  it('shares the axes across schedule panels and draws no bars for single seeds', () => {
    const two = sweepReport([
      ...fromTable({ 64: { 1: [2.15] } }, 'cosine@0.2,1,1'),
      ...fromTable({ 64: { 0.5: [3.79], 1: [2.04] }, 128: { 1: [4.51] } }),
    ]).metricVsScale;
    expect(two.panels.map((p) => p.title)).toEqual(['cosine@0.2,1,1', 'simple_linear']);
    expect(two.panels.map(seriesCounts)).toEqual([
      [['64×64', 2]],
      [
        ['64×64', 2],
        ['128×128', 2],
      ],
    ]);
    expect(two.panels[0]!.yRange).toEqual(two.panels[1]!.yRange);
    expect(two.panels[0]!.xRange).toEqual(two.panels[1]!.xRange);
    const svg = lineChartSvg(two);
    expect(legendLabels(svg)).toEqual(['64×64', '128×128']);
    expect(svgSeriesCount(svg, '64×64')).toBe(4);
    expect(svg).not.toContain('stroke-dasharray');
  });
});

describe('sweepReport: logSNR chart', () => {
  const results = [
    ...fromTable({ 32: { 0.5: [1], 1: [2] }, 64: { 0.3: [1] } }),
    ...fromTable({ 32: { 1: [2] } }, 'cosine@0.2,1,1'),
  ];
  const chart = sweepReport(results).logSnr;

  it('has one panel per schedule and one curve per b swept with it', () => {
    expect(chart.panels.map((p) => p.title)).toEqual(['simple_linear', 'cosine@0.2,1,1']);
    expect(chart.panels.map((p) => p.series.map((s) => s.name))).toEqual([
      ['b=0.3', 'b=0.5', 'b=1'],
      ['b=1'],
    ]);
  });

  it('plots ln(b²γ/(1 − γ)) of the scaled schedule over t in [0, 1]', () => {
    const series = chart.panels[0]!.series[1]!;
    expect(series.x).toHaveLength(401);
    expect([series.x[0], series.x[200], series.x[400]]).toEqual([0, 0.5, 1]);
    // γ(0.5) = 0.5 for 1 − t, so logSNR(0.5) = 2·ln b.
    expect(series.y[200]).toBeCloseTo(2 * Math.log(0.5), 12);
    const expected = withInputScale(parseSchedule('simple_linear'), 0.5).logSnrArray(
      Float64Array.from(series.x),
    );
    expect(Array.from(series.y)).toEqual(Array.from(expected));
  });

  it('ranges y on the interior of t, shared by the panels, and renders', () => {
    const [a, b] = chart.panels.map((p) => p.yRange!);
    expect(a).toEqual(b);
    expect(a!.min).toBeGreaterThan(-10);
    expect(a!.max).toBeLessThan(10);
    const svg = lineChartSvg(chart);
    expect(legendLabels(svg)).toEqual(['b=0.3', 'b=0.5', 'b=1']);
    expect(svgSeriesCount(svg, 'b=1')).toBe(2);
    expect(svg).not.toMatch(/NaN|Infinity/);
  });
});
