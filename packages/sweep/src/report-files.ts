/**
 * The files a sweep report is: report.md (Tables 3–4 shape), metric-vs-b and logSNR figures as
 * SVG and PNG, and the sample mosaics, written into the sweep folder from the finished trials.
 */
import { join } from 'node:path';
import { writePng } from '@ns/data';
import { writeChart } from '@ns/plot';
import { writeFileAtomic } from '@ns/trainer';
import { readSweepGrid, readTrialResult } from './folder.js';
import { expandTrials, slug } from './grid.js';
import { sampleMosaic } from './mosaic.js';
import { sweepReport } from './report.js';
import type { TrialResult } from './types.js';

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
