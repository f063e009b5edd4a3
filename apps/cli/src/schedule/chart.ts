/** The γ(t) | logSNR(t) figure of `ns schedule plot` (the paper's Figures 3 and 5 side by side). */
import type { ChartSpec } from '@ns/plot';
import { scaledSchedule } from './sample.js';

const POINTS = 401;

export interface PlottedSchedule {
  readonly spec: string;
  readonly scale: number;
}

export function scheduleChart(schedules: readonly PlottedSchedule[]): ChartSpec {
  const t = Float64Array.from({ length: POINTS }, (_, i) => i / (POINTS - 1));
  const series = schedules.map(({ spec, scale }) => {
    const schedule = scaledSchedule(spec, scale);
    const name = scale === 1 ? spec : `${spec}, b=${scale}`;
    // Scaled schedules share γ with their base: dash them so both stay visible.
    return {
      name,
      dash: scale !== 1,
      gamma: schedule.gammaArray(t),
      logSnr: schedule.logSnrArray(t),
    };
  });
  return {
    title: 'Noise schedules',
    panels: [
      {
        title: 'γ(t)',
        xLabel: 't',
        yLabel: 'γ(t)',
        xRange: { min: 0, max: 1 },
        yRange: { min: 0, max: 1 },
        series: series.map((s) => ({ name: s.name, dash: s.dash, x: t, y: s.gamma })),
      },
      {
        title: 'logSNR(t) = ln(b²γ / (1 − γ))',
        xLabel: 't',
        yLabel: 'logSNR',
        xRange: { min: 0, max: 1 },
        series: series.map((s) => ({ name: s.name, dash: s.dash, x: t, y: s.logSnr })),
      },
    ],
  };
}
