/** Line charts for the `ns` CLI: hand-written SVG, rasterised to PNG by resvg. */
export { OKABE_ITO } from './palette.js';
export { svgToPng } from './png.js';
export { lineChartSvg } from './svg.js';
export { autoRange, formatTick, type NiceStep, niceStep, niceTicks, type Ticks } from './ticks.js';
export type { AxisRange, ChartSpec, PanelSpec, PngOptions, SeriesSpec } from './types.js';
export { CHART_EXTENSIONS, type ChartExtension, writeChart } from './write.js';
export { escapeXml } from './xml.js';
