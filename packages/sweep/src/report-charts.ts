/**
 * The two figures of a sweep report: the metric against input scale b (the paper's Table 4 as
 * lines) and the logSNR(t) curves that were swept (Figure 5 style). Specs only; no files.
 */

import { autoRange, type ChartSpec, type SeriesSpec } from '@ns/plot';
import { parseSchedule, withInputScale } from '@ns/schedules';
import type { ResultTable } from './result-table.js';

/** Same t resolution as `ns schedule plot`. */
const POINTS = 401;
/** A little wider than the default so the figure title fits over a single panel. */
const PANEL_WIDTH = 440;
/** Half-width of the tick marking a mean, as a fraction of the b axis. */
const MEAN_TICK = 0.012;
/** The t range whose logSNR sets the y axis. */
const RANGE_T = { min: 0.01, max: 0.99 } as const;

/** `64×64`: a resolution as the paper's tables and these charts' legends write it. */
export const resolutionLabel = (resolution: number): string => `${resolution}×${resolution}`;

/**
 * One panel per schedule, x = b, one line per resolution through the seed means. Under the same
 * series name (so in the line's colour, with no extra legend entry: a name's swatch follows its
 * first, solid use) come a short solid tick at each mean, which keeps a lone cell visible where a
 * line has nothing to join, and a dashed vertical bar from the lowest to the highest seed.
 */
export function metricVsScaleChart(grid: ResultTable): ChartSpec {
  // Shared axes so the panels (schedules) compare by eye.
  const xRange = autoRange(grid.scales);
  const tick = MEAN_TICK * (xRange.max - xRange.min);
  const panels = grid.schedules.map((schedule) => {
    const series: SeriesSpec[] = [];
    for (const resolution of grid.resolutions) {
      const cells = grid.scales
        .map((b) => grid.cell(resolution, schedule, b))
        .filter((c) => c !== undefined);
      if (cells.length === 0) continue;
      const name = resolutionLabel(resolution);
      series.push({ name, x: cells.map((c) => c.inputScale), y: cells.map((c) => c.mean) });
      // NaN is a gap, so one series draws all ticks (bars) of a resolution.
      series.push({
        name,
        x: cells.flatMap((c) => [c.inputScale - tick, c.inputScale + tick, Number.NaN]),
        y: cells.flatMap((c) => [c.mean, c.mean, Number.NaN]),
      });
      const spread = cells.filter((c) => c.values.length >= 2);
      if (spread.length === 0) continue;
      series.push({
        name,
        dash: true,
        x: spread.flatMap((c) => [c.inputScale, c.inputScale, Number.NaN]),
        y: spread.flatMap((c) => [c.min, c.max, Number.NaN]),
      });
    }
    return {
      title: schedule,
      xLabel: 'input scale b',
      yLabel: `${grid.metric} (lower is better)`,
      series,
    };
  });
  const yRange = autoRange(panels.flatMap((p) => p.series.flatMap((s) => Array.from(s.y))));
  return {
    title: `${grid.metric} vs b (dashed: seed range)`,
    panelWidth: PANEL_WIDTH,
    panels: panels.map((p) => ({ ...p, xRange, yRange })),
  };
}

/**
 * One panel per schedule with logSNR(t) = ln(b²γ/(1 − γ)) for each b swept with it. Series are
 * named by b alone so a b has the same colour in every panel.
 */
export function logSnrChart(grid: ResultTable): ChartSpec {
  const t = Float64Array.from({ length: POINTS }, (_, i) => i / (POINTS - 1));
  const panels = grid.schedules.map((schedule) => {
    const scales = grid.scales.filter((b) =>
      grid.resolutions.some((r) => grid.cell(r, schedule, b) !== undefined),
    );
    const series = scales.map((b) => ({
      name: `b=${b}`,
      x: t,
      y: withInputScale(parseSchedule(schedule), b).logSnrArray(t),
    }));
    return { title: schedule, xLabel: 't', yLabel: 'logSNR', xRange: { min: 0, max: 1 }, series };
  });
  // The ends are ±∞ or the clip floor (≈ −20.7) for every curve alike; ranging on them would
  // squash the differences between b into a thin band, so they may leave the plot.
  const inner = t.map((v) => (v >= RANGE_T.min && v <= RANGE_T.max ? 1 : 0));
  const yRange = autoRange(
    panels.flatMap((p) => p.series.flatMap((s) => Array.from(s.y).filter((_, i) => inner[i]))),
  );
  return {
    title: 'logSNR(t) = ln(b²γ / (1 − γ))',
    panelWidth: PANEL_WIDTH,
    panels: panels.map((p) => ({ ...p, yRange })),
  };
}
