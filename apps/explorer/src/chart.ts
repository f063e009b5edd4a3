/**
 * Plain SVG line charts, as strings: no DOM, no library. Non-finite y values (logSNR = ±∞ at the
 * ends of most schedules) are gaps in a line, never errors; points outside the y range are clipped.
 */

export interface Series {
  readonly name: string;
  readonly x: ArrayLike<number>;
  readonly y: ArrayLike<number>;
  readonly colour: string;
  readonly dash?: boolean;
  /** Draw dots at the points instead of a line (the sampler grid). */
  readonly dots?: boolean;
}

export interface Range {
  readonly min: number;
  readonly max: number;
}

export interface ChartOptions {
  readonly id: string;
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  readonly x: Range;
  /** Fixed y range; by default the finite data's, padded. */
  readonly y?: Range;
  readonly series: readonly Series[];
  readonly width?: number;
  readonly height?: number;
}

const MARGIN = { top: 28, right: 14, bottom: 40, left: 52 } as const;

/** Text for SVG/HTML markup. */
export const escapeXml = (text: string): string =>
  text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
const fmt = (v: number): string => String(Math.round(v * 100) / 100);

/** About `count` round tick values (1, 2 or 5 × 10^k apart) inside [min, max]. */
export function ticks(range: Range, count = 5): number[] {
  const span = range.max - range.min;
  const raw = span / count;
  const power = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * power).find((s) => s >= raw) ?? 10 * power;
  const out: number[] = [];
  for (let v = Math.ceil(range.min / step) * step; v <= range.max + step * 1e-9; v += step) {
    out.push(Math.abs(v) < step * 1e-9 ? 0 : Number(v.toPrecision(12)));
  }
  return out;
}

/** The finite y extent of the series, padded by 5 %; [0, 1] when nothing is finite. */
export function dataRange(series: readonly Series[]): Range {
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const s of series) {
    for (let i = 0; i < s.y.length; i++) {
      const v = s.y[i]!;
      if (Number.isFinite(v)) [min, max] = [Math.min(min, v), Math.max(max, v)];
    }
  }
  if (!(min <= max)) return { min: 0, max: 1 };
  if (min === max) return { min: min - 1, max: max + 1 };
  const pad = 0.05 * (max - min);
  return { min: min - pad, max: max + pad };
}

/** An SVG document string for one panel. */
export function lineChart(options: ChartOptions): string {
  const width = options.width ?? 440;
  const height = options.height ?? 280;
  const y = options.y ?? dataRange(options.series);
  const x = options.x;
  const plot = {
    left: MARGIN.left,
    top: MARGIN.top,
    width: width - MARGIN.left - MARGIN.right,
    height: height - MARGIN.top - MARGIN.bottom,
  };
  const px = (v: number) => plot.left + ((v - x.min) / (x.max - x.min)) * plot.width;
  const py = (v: number) => plot.top + (1 - (v - y.min) / (y.max - y.min)) * plot.height;
  const clipId = `${options.id}-clip`;
  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" id="${escapeXml(options.id)}" viewBox="0 0 ${width} ${height}" role="img" aria-label="${escapeXml(options.title)}">`,
    `<defs><clipPath id="${clipId}"><rect x="${plot.left}" y="${plot.top}" width="${plot.width}" height="${plot.height}"/></clipPath></defs>`,
    `<text class="title" x="${width / 2}" y="18" text-anchor="middle">${escapeXml(options.title)}</text>`,
  ];
  for (const t of ticks(x)) {
    parts.push(
      `<line class="grid" x1="${fmt(px(t))}" x2="${fmt(px(t))}" y1="${plot.top}" y2="${plot.top + plot.height}"/>`,
      `<text class="tick" x="${fmt(px(t))}" y="${plot.top + plot.height + 14}" text-anchor="middle">${t}</text>`,
    );
  }
  for (const t of ticks(y)) {
    parts.push(
      `<line class="grid" x1="${plot.left}" x2="${plot.left + plot.width}" y1="${fmt(py(t))}" y2="${fmt(py(t))}"/>`,
      `<text class="tick" x="${plot.left - 6}" y="${fmt(py(t) + 4)}" text-anchor="end">${t}</text>`,
    );
  }
  parts.push(
    `<rect class="frame" x="${plot.left}" y="${plot.top}" width="${plot.width}" height="${plot.height}"/>`,
    `<text class="label" x="${plot.left + plot.width / 2}" y="${height - 6}" text-anchor="middle">${escapeXml(options.xLabel)}</text>`,
    `<text class="label" transform="translate(14 ${plot.top + plot.height / 2}) rotate(-90)" text-anchor="middle">${escapeXml(options.yLabel)}</text>`,
    `<g clip-path="url(#${clipId})">`,
  );
  for (const s of options.series) {
    const attrs = `data-series="${escapeXml(s.name)}" stroke="${s.colour}"`;
    if (s.dots) {
      const dots: string[] = [];
      for (let i = 0; i < s.x.length; i++) {
        const v = s.y[i]!;
        if (Number.isFinite(v))
          dots.push(
            `<circle cx="${fmt(px(s.x[i]!))}" cy="${fmt(py(v))}" r="3" fill="${s.colour}"/>`,
          );
      }
      parts.push(`<g class="dots" ${attrs}>${dots.join('')}</g>`);
      continue;
    }
    // One sub-path per finite run; values far outside the panel are clamped before printing.
    let d = '';
    let pen = false;
    for (let i = 0; i < s.x.length; i++) {
      const v = s.y[i]!;
      if (!Number.isFinite(v)) {
        pen = false;
        continue;
      }
      const yy = Math.min(Math.max(py(v), -1e4), 1e4);
      d += `${pen ? 'L' : 'M'}${fmt(px(s.x[i]!))} ${fmt(yy)}`;
      pen = true;
    }
    parts.push(
      `<path class="line" ${attrs} fill="none" stroke-width="2"${s.dash ? ' stroke-dasharray="6 4"' : ''} d="${d}"/>`,
    );
  }
  parts.push('</g></svg>');
  return parts.join('');
}
