/** Writes a chart to disk as SVG or PNG, chosen by the file extension. */
import { randomBytes } from 'node:crypto';
import { mkdir, rename, rm, writeFile } from 'node:fs/promises';
import { basename, dirname, extname, join } from 'node:path';
import { svgToPng } from './png.js';
import { lineChartSvg } from './svg.js';
import type { ChartSpec, PngOptions } from './types.js';

/** The file extensions {@link writeChart} understands, lower case, with the dot. */
export const CHART_EXTENSIONS = ['.svg', '.png'] as const;
export type ChartExtension = (typeof CHART_EXTENSIONS)[number];

function chartExtension(outPath: string): ChartExtension {
  const ext = extname(outPath).toLowerCase();
  const known = CHART_EXTENSIONS.find((e) => e === ext);
  if (known === undefined) {
    throw new Error(
      `writeChart: outPath must end in ${CHART_EXTENSIONS.join(' or ')}, ` +
        `got "${outPath}" (extension "${ext}")`,
    );
  }
  return known;
}

/**
 * Renders `spec` and writes it to `outPath` (.svg or .png), creating missing parent folders.
 * The file appears atomically: it is written under a temporary name in the same folder and then
 * renamed, so a reader (or an interrupted run) never sees a half-written chart. `pngOptions` only
 * applies to .png output.
 */
export async function writeChart(
  spec: ChartSpec,
  outPath: string,
  pngOptions: PngOptions = {},
): Promise<void> {
  const ext = chartExtension(outPath);
  const svg = lineChartSvg(spec);
  const bytes = ext === '.svg' ? Buffer.from(svg, 'utf8') : svgToPng(svg, pngOptions);
  const dir = dirname(outPath);
  await mkdir(dir, { recursive: true });
  // Same folder as the target, so the rename never crosses file systems and stays atomic.
  const tempPath = join(
    dir,
    `.${basename(outPath)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`,
  );
  try {
    await writeFile(tempPath, bytes);
    await rename(tempPath, outPath);
  } catch (error) {
    await rm(tempPath, { force: true });
    throw error;
  }
}
