/**
 * The description of a line chart: what to draw, not how. Everything is readonly so a spec can be
 * built once (e.g. from schedule samples) and rendered to several formats without surprises.
 */

/** A closed numeric interval `[min, max]` with `min < max`. */
export interface AxisRange {
  readonly min: number;
  readonly max: number;
}

/** One line in a panel. `x` and `y` must have the same length. */
export interface SeriesSpec {
  /**
   * Legend label. Series with the same name share one colour and one legend entry across all
   * panels, so "cosine" is the same colour in the γ(t) panel and the logSNR(t) panel.
   */
  readonly name: string;
  readonly x: ArrayLike<number>;
  /**
   * Non-finite values (NaN, ±Infinity) are gaps: the line stops before them and starts again after
   * (logSNR(0) = +∞ is a gap, not an error). They are ignored when choosing the auto range.
   */
  readonly y: ArrayLike<number>;
  /** Draw dashed (e.g. a reference curve); the legend swatch of the name follows its first use. */
  readonly dash?: boolean;
}

/** One set of axes. Panels are laid out left to right. */
export interface PanelSpec {
  readonly title: string;
  readonly xLabel: string;
  readonly yLabel: string;
  /** Fixed x range; when absent it is derived from the finite data, padded and rounded to ticks. */
  readonly xRange?: AxisRange;
  /** Fixed y range; when absent it is derived from the finite data, padded and rounded to ticks. */
  readonly yRange?: AxisRange;
  readonly series: readonly SeriesSpec[];
}

/** A whole figure: one or more panels side by side and one legend shared by all of them. */
export interface ChartSpec {
  readonly panels: readonly PanelSpec[];
  /** Optional figure title above all panels. */
  readonly title?: string;
  /** Width of each panel in SVG user units, including its axis labels. Default 400. */
  readonly panelWidth?: number;
  /** Height of each panel in SVG user units, including its title and axis labels. Default 300. */
  readonly panelHeight?: number;
  /** Background fill of the SVG; `'none'` for transparent. Default white. */
  readonly background?: string;
}

/** Options for rasterising an SVG to PNG. */
export interface PngOptions {
  /** Output width in pixels (height follows the aspect ratio). Default: twice the SVG width. */
  readonly width?: number;
  /** Colour painted behind the SVG (CSS colour). Default: none (the SVG's own background). */
  readonly background?: string;
}
