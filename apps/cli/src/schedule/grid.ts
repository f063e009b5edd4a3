/** `ns schedule grid`: the sampler's time grid of a schedule and spacing, as text or JSON. */
import { type SamplingGrid, samplingGrid } from '@ns/schedules';
import { scaledSchedule } from './sample.js';

export interface GridSample {
  readonly schedule: string;
  readonly scale: number;
  readonly steps: number;
  readonly spacing: string;
  readonly tNow: number[];
  readonly tNext: number[];
  readonly gammaNow: number[];
  readonly gammaNext: number[];
  /** logSNR at tNow, `null` where infinite. */
  readonly logSnrNow: (number | null)[];
}

export function sampleGrid(
  spec: string,
  scale: number,
  steps: number,
  spacing: string,
): GridSample {
  const schedule = scaledSchedule(spec, scale);
  const grid: SamplingGrid = samplingGrid(schedule, steps, spacing);
  return {
    schedule: spec,
    scale,
    steps,
    spacing: grid.spacing,
    tNow: Array.from(grid.tNow),
    tNext: Array.from(grid.tNext),
    gammaNow: Array.from(grid.gammaNow),
    gammaNext: Array.from(grid.gammaNext),
    logSnrNow: Array.from(grid.tNow, (t) => {
      const l = schedule.logSnr(t);
      return Number.isFinite(l) ? l : null;
    }),
  };
}

export function formatGridTable(grid: GridSample): string {
  const header = ['step', 't_now', 't_next', 'gamma_now', 'logSNR_now'];
  const rows = grid.tNow.map((t, i) => [
    String(i + 1),
    t.toPrecision(6),
    grid.tNext[i]!.toPrecision(6),
    grid.gammaNow[i]!.toPrecision(6),
    grid.logSnrNow[i] === null ? '+inf' : grid.logSnrNow[i]!.toFixed(4),
  ]);
  const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
  const line = (cells: readonly string[]) => cells.map((c, k) => c.padStart(widths[k]!)).join('  ');
  const title = `${grid.schedule}${grid.scale === 1 ? '' : `, b = ${grid.scale}`}: ${grid.steps} steps, spacing ${grid.spacing}`;
  return `${[title, line(header), ...rows.map(line)].join('\n')}\n`;
}
