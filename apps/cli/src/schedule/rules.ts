/** `ns schedule suggest`: the resolution rules side by side, as text and as a chart. */

import type { ChartSpec } from '@ns/plot';
import { type ResolutionAdvice, resolutionRules } from '@ns/schedules';

const RULE_NAMES: Record<ResolutionAdvice['rule'], string> = {
  chen2023: 'Chen 2023 (Table 1)',
  simpleDiffusion: 'simple diffusion (64/d)',
  sd3: 'SD3 (√(m/n), base 256²)',
  flux: 'Flux (token-count shift)',
};

const short = (x: number): string => String(Number(x.toPrecision(4)));
const fixed = (x: number): string => (Math.abs(x) < 5e-4 ? '0.000' : x.toFixed(3));

/** The aligned table of every rule at one resolution, with sources and notes below it. */
export function formatRulesTable(rules: readonly ResolutionAdvice[]): string {
  const header = ['rule', 'b', 's = 1/b', '2·ln b', 'median λ', 'spec'];
  const rows = rules.map((r) => [
    r.rule,
    short(r.scale),
    short(r.shift),
    fixed(r.logSnrOffset),
    fixed(r.medianLogSnr),
    r.spec,
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((row) => row[c]!.length)));
  const line = (cells: readonly string[]): string =>
    cells
      .map((cell, c) =>
        c === 0 || c === cells.length - 1 ? cell.padEnd(widths[c]!) : cell.padStart(widths[c]!),
      )
      .join('  ')
      .trimEnd();
  const resolution = rules[0]?.resolution;
  const chen = rules.find((r) => r.rule === 'chen2023');
  return [
    `resolution ${resolution} px: each rule moves logSNR by 2·ln b = −2·ln s from its own base schedule`,
    '',
    line(header),
    ...rows.map(line),
    '',
    ...rules.map(
      (r) =>
        `${r.rule}: ${r.source}${r.exact ? '' : ' — not a table row / formula point'}\n  ${r.note}`,
    ),
    '',
    chen === undefined
      ? ''
      : `the paper's rule here: ns train --schedule '${chen.schedule}' --scale ${short(chen.scale)}`,
  ]
    .join('\n')
    .concat('\n');
}

const SIDES = Float64Array.from({ length: 121 }, (_, i) => 5 + i / 20); // log₂ d from 5 (32 px) to 11 (2048 px)

/**
 * Every rule against log₂ of the image side, as the logSNR offset 2·ln b and as the shift s = 1/b
 * (SD3's and Flux's unit), with the asked resolution marked by a dashed vertical line.
 */
export function rulesChart(marked?: number): ChartSpec {
  const perSide = Array.from(SIDES, (x) => resolutionRules(2 ** x));
  const series = (pick: (r: ResolutionAdvice) => number) =>
    (Object.keys(RULE_NAMES) as ResolutionAdvice['rule'][]).map((rule, k) => ({
      name: RULE_NAMES[rule],
      x: SIDES,
      y: Float64Array.from(perSide, (rules) => pick(rules[k]!)),
    }));
  const offsets = series((r) => r.logSnrOffset);
  const shifts = series((r) => r.shift);
  const marker = (values: readonly { y: Float64Array }[]) => {
    if (marked === undefined) return [];
    let lo = 0;
    let hi = 0;
    for (const { y } of values) for (const v of y) [lo, hi] = [Math.min(lo, v), Math.max(hi, v)];
    return [
      { name: `${marked} px`, dash: true, x: [Math.log2(marked), Math.log2(marked)], y: [lo, hi] },
    ];
  };
  return {
    title: 'Resolution rules in one unit: the logSNR offset 2·ln b = −2·ln s',
    panelWidth: 460,
    panelHeight: 330,
    panels: [
      {
        title: 'logSNR offset from each base schedule',
        xLabel: 'log₂ image side (6 = 64 px, 8 = 256, 10 = 1024)',
        yLabel: '2·ln b',
        xRange: { min: 5, max: 11 },
        series: [...offsets, ...marker(offsets)],
      },
      {
        title: 'the same as a shift s = 1/b',
        xLabel: 'log₂ image side',
        yLabel: 's',
        xRange: { min: 5, max: 11 },
        series: [...shifts, ...marker(shifts)],
      },
    ],
  };
}
