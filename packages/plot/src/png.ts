/** Rasterises SVG to PNG with resvg (a Rust renderer, no browser). */
import { Resvg, type ResvgRenderOptions } from '@resvg/resvg-js';
import type { PngOptions } from './types.js';

/** Larger than any sensible figure; guards against a typo allocating gigabytes. */
const MAX_WIDTH_PX = 16384;
/** Without an explicit width, render at 2× so text stays crisp on high-density screens. */
const DEFAULT_ZOOM = 2;

/**
 * Renders `svg` to PNG bytes. Text uses the system's DejaVu Sans when installed; on a machine
 * without fonts resvg skips the text and still renders everything else, rather than failing.
 * Throws if the SVG is not well-formed.
 */
export function svgToPng(svg: string, options: PngOptions = {}): Buffer {
  const { width, background } = options;
  if (width !== undefined && !(Number.isInteger(width) && width >= 1 && width <= MAX_WIDTH_PX)) {
    throw new RangeError(
      `svgToPng: options.width must be an integer in [1, ${MAX_WIDTH_PX}], got ${width}`,
    );
  }
  const renderOptions: ResvgRenderOptions = {
    fitTo:
      width === undefined ? { mode: 'zoom', value: DEFAULT_ZOOM } : { mode: 'width', value: width },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
    ...(background === undefined ? {} : { background }),
  };
  return new Resvg(svg, renderOptions).render().asPng();
}
