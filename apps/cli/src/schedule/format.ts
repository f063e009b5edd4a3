/** Plain-text rendering of schedule samples: aligned, one block per schedule. */
import type { ScheduleSample } from './sample.js';

const formatGamma = (g: number): string => (g === 0 || g === 1 ? String(g) : g.toPrecision(9));
const formatLogSnr = (l: number | null, gamma: number): string =>
  l === null ? (gamma >= 1 ? '+inf' : '-inf') : (Math.abs(l) < 5e-7 ? 0 : l).toFixed(6);

export function formatScheduleTable(samples: readonly ScheduleSample[]): string {
  const blocks = samples.map((sample) => {
    const rows = sample.t.map((t, i) => [
      String(t),
      formatGamma(sample.gamma[i]!),
      formatLogSnr(sample.logSnr[i]!, sample.gamma[i]!),
    ]);
    const header = ['t', 'gamma(t)', 'logSNR(t)'];
    const widths = header.map((h, c) => Math.max(h.length, ...rows.map((r) => r[c]!.length)));
    const line = (cells: readonly string[]): string =>
      cells.map((cell, c) => cell.padStart(widths[c]!)).join('  ');
    const title = `${sample.schedule}${sample.scale === 1 ? '' : `  (input scale b = ${sample.scale}: logSNR + 2·ln b)`}`;
    return [title, line(header), ...rows.map(line)].join('\n');
  });
  return `${blocks.join('\n\n')}\n`;
}
