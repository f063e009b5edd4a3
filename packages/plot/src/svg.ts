/** Renders a {@link ChartSpec} to a standalone SVG document, by hand: no DOM, no chart library. */
import { assignStyles, type SeriesStyle } from './palette.js';
import { estimateTextWidth } from './text-width.js';
import { autoRange, formatTick, niceTicks } from './ticks.js';
import type { AxisRange, ChartSpec, PanelSpec, SeriesSpec } from './types.js';
import { escapeXml, fmt } from './xml.js';

// DejaVu Sans is what svgToPng asks resvg for; the others are for browsers viewing the SVG file.
const FONT_FAMILY = "'DejaVu Sans', Verdana, Arial, sans-serif";
const FONT = { title: 15, figureTitle: 17, axisLabel: 13, tick: 11.5, legend: 13 } as const;
const COLOURS = { text: '#222222', frame: '#444444', grid: '#e6e6e6' } as const;
const DEFAULT_PANEL = { width: 400, height: 300 } as const;
const MIN_PANEL = { width: 160, height: 120 } as const;
/** Room inside each panel around the plot area: title above, tick labels and axis labels aside. */
const MARGIN = { top: 30, right: 22, bottom: 48, left: 64 } as const;
/** Room left of the y tick labels for the rotated y-axis label. */
const Y_LABEL_BAND = 30;
/** Distance between the frame and the tick labels. */
const TICK_LABEL_GAP = 8;
const FIGURE_TITLE_HEIGHT = 32;
const LEGEND = { rowHeight: 22, swatch: 26, gap: 8, entrySpacing: 22, padTop: 4, padBottom: 10 };
/** Roughly one tick per this many pixels; x labels are wider than they are tall, hence more room. */
const PX_PER_TICK = { x: 75, y: 45 } as const;
/**
 * Points far outside the axes are clamped to this many user units before printing: they are clipped
 * anyway, and a value like 1e300 would otherwise print as an exponent some renderers reject.
 */
const COORD_LIMIT = 1e6;

interface Rect {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

/** Returns the chart as an SVG document string. Same spec in, byte-identical SVG out. */
export function lineChartSvg(spec: ChartSpec): string {
  validateSpec(spec);
  const panelWidth = spec.panelWidth ?? DEFAULT_PANEL.width;
  const panelHeight = spec.panelHeight ?? DEFAULT_PANEL.height;
  const styles = assignStyles(spec.panels.flatMap((p) => p.series));
  const width = panelWidth * spec.panels.length;
  const titleHeight = spec.title === undefined ? 0 : FIGURE_TITLE_HEIGHT;
  const legendTop = titleHeight + panelHeight + LEGEND.padTop;
  const legend = legendSvg(styles, width, legendTop);
  const height = legendTop + legend.height + (legend.height > 0 ? LEGEND.padBottom : 0);

  const parts: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${fmt(width)}" height="${fmt(height)}" ` +
      `viewBox="0 0 ${fmt(width)} ${fmt(height)}" font-family="${escapeXml(FONT_FAMILY)}" ` +
      `fill="${COLOURS.text}">`,
  ];
  const background = spec.background ?? '#ffffff';
  if (background !== 'none') {
    parts.push(`<rect width="100%" height="100%" fill="${escapeXml(background)}"/>`);
  }
  if (spec.title !== undefined) {
    parts.push(
      `<text class="figure-title" x="${fmt(width / 2)}" y="${fmt(FIGURE_TITLE_HEIGHT - 10)}" ` +
        `text-anchor="middle" font-size="${FONT.figureTitle}" font-weight="bold">` +
        `${escapeXml(spec.title)}</text>`,
    );
  }
  spec.panels.forEach((panel, i) => {
    const outer = { x: i * panelWidth, y: titleHeight, width: panelWidth, height: panelHeight };
    parts.push(panelSvg(panel, i, outer, styles));
  });
  parts.push(legend.svg, '</svg>');
  return `${parts.join('\n')}\n`;
}

function validateSpec(spec: ChartSpec): void {
  if (spec.panels.length === 0) {
    throw new RangeError('lineChartSvg: spec.panels must contain at least one panel, got 0');
  }
  for (const [key, min] of [
    ['panelWidth', MIN_PANEL.width],
    ['panelHeight', MIN_PANEL.height],
  ] as const) {
    const value = spec[key];
    if (value !== undefined && !(Number.isFinite(value) && value >= min)) {
      throw new RangeError(`lineChartSvg: spec.${key} must be a number >= ${min}, got ${value}`);
    }
  }
  spec.panels.forEach((panel, p) => {
    for (const [key, range] of [
      ['xRange', panel.xRange],
      ['yRange', panel.yRange],
    ] as const) {
      if (range === undefined) continue;
      if (!(Number.isFinite(range.min) && Number.isFinite(range.max) && range.min < range.max)) {
        throw new RangeError(
          `lineChartSvg: panels[${p}].${key} must have finite min < max, ` +
            `got min=${range.min}, max=${range.max}`,
        );
      }
    }
    panel.series.forEach((s, k) => {
      if (s.x.length !== s.y.length) {
        throw new RangeError(
          `lineChartSvg: panels[${p}].series[${k}] ("${s.name}"): x and y must have the same ` +
            `length, got x.length=${s.x.length}, y.length=${s.y.length}`,
        );
      }
    });
  });
}

function panelSvg(
  panel: PanelSpec,
  index: number,
  outer: Rect,
  styles: ReadonlyMap<string, SeriesStyle>,
): string {
  const plotHeight = outer.height - MARGIN.top - MARGIN.bottom;
  const yRange = panel.yRange ?? autoRange(panel.series.flatMap((s) => drawnValues(s, 'y')));
  const yTicks = niceTicks(yRange, Math.max(2, plotHeight / PX_PER_TICK.y));
  const yTickTexts = yTicks.values.map((v) => formatTick(v, yTicks.step));
  const yTickWidth = Math.max(...yTickTexts.map((t) => estimateTextWidth(t, FONT.tick)));
  // Long y tick labels (e.g. "2.5e−7") push the plot right so they never run into the y label.
  // Capped at half the panel so absurdly long labels cannot squeeze the plot to nothing.
  const left = Math.min(
    outer.width / 2,
    Math.max(MARGIN.left, Y_LABEL_BAND + yTickWidth + TICK_LABEL_GAP),
  );
  const plot: Rect = {
    x: outer.x + left,
    y: outer.y + MARGIN.top,
    width: outer.width - left - MARGIN.right,
    height: plotHeight,
  };
  const xRange = panel.xRange ?? autoRange(panel.series.flatMap((s) => drawnValues(s, 'x')));
  const toX = (v: number) => clampCoord(plot.x + ((v - xRange.min) / span(xRange)) * plot.width);
  const toY = (v: number) =>
    clampCoord(plot.y + plot.height - ((v - yRange.min) / span(yRange)) * plot.height);
  const xTicks = niceTicks(xRange, Math.max(2, plot.width / PX_PER_TICK.x));
  const bottom = plot.y + plot.height;
  const right = plot.x + plot.width;
  const clipId = `plot-area-${index}`;

  const out: string[] = [`<g class="panel" data-panel="${index}">`];
  out.push(
    `<clipPath id="${clipId}"><rect x="${fmt(plot.x)}" y="${fmt(plot.y)}" ` +
      `width="${fmt(plot.width)}" height="${fmt(plot.height)}"/></clipPath>`,
  );
  // Grid first so data lines and the frame are drawn over it.
  const grid: string[] = [];
  const tickMarks: string[] = [];
  const labels: string[] = [];
  for (const v of xTicks.values) {
    const x = fmt(toX(v));
    grid.push(`M${x} ${fmt(plot.y)}V${fmt(bottom)}`);
    tickMarks.push(`M${x} ${fmt(bottom)}v5`);
    labels.push(
      `<text x="${x}" y="${fmt(bottom + TICK_LABEL_GAP + FONT.tick)}" text-anchor="middle">` +
        `${escapeXml(formatTick(v, xTicks.step))}</text>`,
    );
  }
  yTicks.values.forEach((v, i) => {
    const y = toY(v);
    grid.push(`M${fmt(plot.x)} ${fmt(y)}H${fmt(right)}`);
    tickMarks.push(`M${fmt(plot.x)} ${fmt(y)}h-5`);
    // 0.35em below the tick puts the middle of digits on the grid line.
    labels.push(
      `<text x="${fmt(plot.x - TICK_LABEL_GAP)}" y="${fmt(y + FONT.tick * 0.35)}" ` +
        `text-anchor="end">${escapeXml(yTickTexts[i]!)}</text>`,
    );
  });
  out.push(`<path class="grid" d="${grid.join('')}" stroke="${COLOURS.grid}" stroke-width="1"/>`);

  out.push(`<g class="series" clip-path="url(#${clipId})">`);
  for (const s of panel.series) {
    const d = pathData(s, toX, toY);
    if (d === '') continue;
    const style = styles.get(s.name)!;
    out.push(
      `<path data-series="${escapeXml(s.name)}" d="${d}" fill="none" stroke="${style.colour}" ` +
        `stroke-width="2" stroke-linejoin="round" stroke-linecap="round"` +
        `${s.dash === true ? ' stroke-dasharray="7 4"' : ''}/>`,
    );
  }
  out.push('</g>');

  out.push(
    `<rect class="frame" x="${fmt(plot.x)}" y="${fmt(plot.y)}" width="${fmt(plot.width)}" ` +
      `height="${fmt(plot.height)}" fill="none" stroke="${COLOURS.frame}" stroke-width="1"/>`,
    `<path class="ticks" d="${tickMarks.join('')}" stroke="${COLOURS.frame}" stroke-width="1"/>`,
    `<g class="tick-labels" font-size="${FONT.tick}">`,
    ...labels,
    '</g>',
    `<text class="panel-title" x="${fmt(plot.x + plot.width / 2)}" y="${fmt(outer.y + 20)}" ` +
      `text-anchor="middle" font-size="${FONT.title}" font-weight="bold">` +
      `${escapeXml(panel.title)}</text>`,
    `<text class="x-label" x="${fmt(plot.x + plot.width / 2)}" y="${fmt(bottom + 40)}" ` +
      `text-anchor="middle" font-size="${FONT.axisLabel}">${escapeXml(panel.xLabel)}</text>`,
  );
  // Rotated text sits with its baseline on x: ascenders extend ~0.76 em to the left of it.
  const yLabelX = outer.x + Y_LABEL_BAND - 10;
  const yLabelY = plot.y + plot.height / 2;
  out.push(
    `<text class="y-label" x="${fmt(yLabelX)}" y="${fmt(yLabelY)}" text-anchor="middle" ` +
      `font-size="${FONT.axisLabel}" transform="rotate(-90 ${fmt(yLabelX)} ${fmt(yLabelY)})">` +
      `${escapeXml(panel.yLabel)}</text>`,
    '</g>',
  );
  return out.join('\n');
}

function span(range: AxisRange): number {
  return range.max - range.min;
}

function clampCoord(v: number): number {
  return Math.min(COORD_LIMIT, Math.max(-COORD_LIMIT, v));
}

/** The `axis` coordinates of the points of `s` that will be drawn (both coordinates finite). */
function drawnValues(s: SeriesSpec, axis: 'x' | 'y'): number[] {
  const out: number[] = [];
  for (let i = 0; i < s.x.length; i++) {
    if (Number.isFinite(s.x[i]!) && Number.isFinite(s.y[i]!)) out.push(s[axis][i]!);
  }
  return out;
}

/**
 * SVG path data for a series: one subpath (M … L …) per run of points whose x and y are both
 * finite. An isolated finite point becomes a zero-length subpath, which the round line cap shows
 * as a dot. Returns '' when there is nothing to draw.
 */
function pathData(s: SeriesSpec, toX: (v: number) => number, toY: (v: number) => number): string {
  let d = '';
  let runLength = 0;
  const closeRun = () => {
    if (runLength === 1) d += 'l0 0';
    runLength = 0;
  };
  for (let i = 0; i < s.x.length; i++) {
    const x = s.x[i]!;
    const y = s.y[i]!;
    if (!(Number.isFinite(x) && Number.isFinite(y))) {
      closeRun();
      continue;
    }
    d += `${runLength === 0 ? 'M' : 'L'}${fmt(toX(x))} ${fmt(toY(y))}`;
    runLength++;
  }
  closeRun();
  return d;
}

/** One legend entry per series name, packed into centred rows below the panels. */
function legendSvg(
  styles: ReadonlyMap<string, SeriesStyle>,
  figureWidth: number,
  top: number,
): { svg: string; height: number } {
  if (styles.size === 0) return { svg: '', height: 0 };
  const entries = [...styles].map(([name, style]) => ({
    name,
    style,
    width: LEGEND.swatch + LEGEND.gap + estimateTextWidth(name, FONT.legend),
  }));
  const maxRowWidth = figureWidth - 2 * MARGIN.right;
  const rows: (typeof entries)[] = [];
  let rowWidth = 0;
  for (const e of entries) {
    const row = rows[rows.length - 1];
    if (row !== undefined && rowWidth + LEGEND.entrySpacing + e.width <= maxRowWidth) {
      row.push(e);
      rowWidth += LEGEND.entrySpacing + e.width;
    } else {
      rows.push([e]);
      rowWidth = e.width;
    }
  }
  const out: string[] = [`<g class="legend" font-size="${FONT.legend}">`];
  rows.forEach((row, r) => {
    const total = row.reduce((sum, e) => sum + e.width, 0) + LEGEND.entrySpacing * (row.length - 1);
    let x = (figureWidth - total) / 2;
    const y = top + r * LEGEND.rowHeight + LEGEND.rowHeight / 2;
    for (const e of row) {
      out.push(
        `<path d="M${fmt(x)} ${fmt(y)}h${LEGEND.swatch}" stroke="${e.style.colour}" ` +
          `stroke-width="2.5"${e.style.dash ? ' stroke-dasharray="7 4"' : ''}/>`,
        `<text class="legend-label" x="${fmt(x + LEGEND.swatch + LEGEND.gap)}" ` +
          `y="${fmt(y + FONT.legend * 0.35)}">${escapeXml(e.name)}</text>`,
      );
      x += e.width + LEGEND.entrySpacing;
    }
  });
  out.push('</g>');
  return { svg: out.join('\n'), height: rows.length * LEGEND.rowHeight };
}
