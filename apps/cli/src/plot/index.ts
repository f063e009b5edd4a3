/** Line charts for the `ns` CLI: hand-written SVG, rasterised to PNG by resvg. */
export { OKABE_ITO } from './palette';
export { svgToPng } from './png';
export { lineChartSvg } from './svg';
export { autoRange, formatTick, type NiceStep, niceStep, niceTicks, type Ticks } from './ticks';
export type { AxisRange, ChartSpec, PanelSpec, PngOptions, SeriesSpec } from './types';
export { CHART_EXTENSIONS, type ChartExtension, writeChart } from './write';
export { escapeXml } from './xml';
