/** The loss curve of a run (metrics.jsonl) as a figure: raw and smoothed loss, and the learning rate. */
import { join } from 'node:path';
import { type ChartSpec, writeChart } from '@ns/plot';
import { runPath } from './layout.js';
import { type MetricsLine, readMetricsFile } from './metrics.js';

/** Exponential moving average with bias correction (as TensorBoard's smoothing). */
function smooth(values: readonly number[], weight: number): Float64Array {
  const out = new Float64Array(values.length);
  let average = 0;
  for (let i = 0; i < values.length; i++) {
    average = weight * average + (1 - weight) * values[i]!;
    out[i] = average / (1 - weight ** (i + 1));
  }
  return out;
}

export function lossChart(metrics: readonly MetricsLine[], title: string): ChartSpec {
  const steps = metrics.map((m) => m.step);
  const loss = metrics.map((m) => m.loss);
  const seconds = metrics.reduce((a, m) => a + m.stepTime, 0);
  return {
    title: `${title} — ${metrics.length} steps, ${(seconds / 60).toFixed(1)} min of training`,
    panels: [
      {
        title: 'training loss',
        xLabel: 'step',
        yLabel: 'MSE',
        series: [
          { name: 'loss', x: steps, y: loss },
          { name: 'smoothed (0.98)', x: steps, y: smooth(loss, 0.98) },
        ],
      },
      {
        title: 'learning rate',
        xLabel: 'step',
        yLabel: 'lr',
        series: [{ name: 'lr', x: steps, y: metrics.map((m) => m.lr) }],
      },
    ],
  };
}

/** Writes <run>/loss.png and <run>/loss.svg; returns the PNG path. */
export async function writeLossChart(runDir: string, title: string): Promise<string> {
  const metrics = await readMetricsFile(runPath(runDir, 'metrics'));
  const chart = lossChart(metrics, title);
  await writeChart(chart, join(runDir, 'loss.svg'));
  const png = join(runDir, 'loss.png');
  await writeChart(chart, png);
  return png;
}
