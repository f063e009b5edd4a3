/** A two-panel chart shaped like the schedule plot: γ(t) and logSNR(t), with logSNR(0) = +∞. */
import type { ChartSpec } from '../src/index';

export function scheduleLikeSpec(points = 101): ChartSpec {
  const t = Float64Array.from({ length: points }, (_, i) => i / (points - 1));
  const cosine = t.map((x) => Math.cos((x * Math.PI) / 2) ** 2);
  const linear = t.map((x) => 1 - x);
  const logSnr = (g: Float64Array) => g.map((v) => Math.log(v / (1 - v)));
  return {
    panels: [
      {
        title: 'γ(t)',
        xLabel: 't',
        yLabel: 'γ',
        series: [
          { name: 'cosine', x: t, y: cosine },
          { name: 'linear', x: t, y: linear },
        ],
      },
      {
        title: 'logSNR(t)',
        xLabel: 't',
        yLabel: 'log SNR',
        yRange: { min: -15, max: 15 },
        series: [
          { name: 'cosine', x: t, y: logSnr(cosine) },
          { name: 'linear', x: t, y: logSnr(linear) },
          { name: 'cosine shifted', x: t, y: logSnr(cosine).map((v) => v - 2), dash: true },
        ],
      },
    ],
  };
}
