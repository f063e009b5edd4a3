import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { lineChartSvg, OKABE_ITO, svgToPng, writeChart } from '../src/index';
import { colourHistogram, decodePng, PNG_SIGNATURE } from './png-decode';
import { scheduleLikeSpec } from './sample-spec';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'ns-plot-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});

/** Pixels within a small distance of `hex`: anti-aliasing blends line edges, line centres are exact. */
function pixelsNear(histogram: Map<string, number>, hex: string, tolerance = 8): number {
  const target = [1, 3, 5].map((i) => Number.parseInt(hex.slice(i, i + 2), 16));
  let count = 0;
  for (const [colour, n] of histogram) {
    const rgb = [1, 3, 5].map((i) => Number.parseInt(colour.slice(i, i + 2), 16));
    if (rgb.every((v, k) => Math.abs(v - target[k]!) <= tolerance)) count += n;
  }
  return count;
}

describe('writeChart', () => {
  it('writes a PNG that decodes to the chart at 2x, with the series colours drawn', async () => {
    const spec = scheduleLikeSpec();
    const out = join(dir, 'nested', 'deeper', 'schedules.png');
    await writeChart(spec, out);
    const png = await readFile(out);
    expect(png.subarray(0, 8).equals(PNG_SIGNATURE)).toBe(true);
    const svgHeight = Number(/height="([\d.]+)"/.exec(lineChartSvg(spec))![1]);
    const image = decodePng(png);
    expect(image.width).toBe(1600);
    expect(image.height).toBe(Math.round(svgHeight * 2));
    const histogram = colourHistogram(image);
    expect(histogram.size).toBeGreaterThan(2);
    // White background dominates; the three series colours each cover a visible line.
    expect(pixelsNear(histogram, '#ffffff')).toBeGreaterThan(image.width * image.height * 0.5);
    for (const colour of OKABE_ITO.slice(0, 3)) {
      expect(pixelsNear(histogram, colour)).toBeGreaterThan(500);
    }
  });

  it('honours an explicit PNG width', async () => {
    const out = join(dir, 'small.png');
    await writeChart(scheduleLikeSpec(), out, { width: 500 });
    expect(decodePng(await readFile(out)).width).toBe(500);
  });

  it('writes the SVG text itself for .svg (any case), leaving no temporary files', async () => {
    const spec = scheduleLikeSpec(11);
    const sub = join(dir, 'svg-out');
    await writeChart(spec, join(sub, 'chart.SVG'));
    expect(await readFile(join(sub, 'chart.SVG'), 'utf8')).toBe(lineChartSvg(spec));
    await writeChart(spec, join(sub, 'chart.SVG')); // overwrite in place
    expect(await readdir(sub)).toEqual(['chart.SVG']);
  });

  it('refuses other extensions, naming the allowed ones, and writes nothing', async () => {
    const sub = join(dir, 'bad');
    await expect(writeChart(scheduleLikeSpec(11), join(sub, 'chart.jpg'))).rejects.toThrow(
      /outPath must end in \.svg or \.png, got ".*chart\.jpg" \(extension "\.jpg"\)/,
    );
    await expect(writeChart(scheduleLikeSpec(11), join(sub, 'chart'))).rejects.toThrow(
      /extension ""/,
    );
    await expect(readdir(sub)).rejects.toThrow(/ENOENT/);
  });

  it('leaves an existing file intact when rendering fails', async () => {
    const out = join(dir, 'keep.svg');
    const spec = scheduleLikeSpec(11);
    await writeChart(spec, out);
    await expect(writeChart({ panels: [] }, out)).rejects.toThrow(/at least one panel/);
    expect(await readFile(out, 'utf8')).toBe(lineChartSvg(spec));
  });
});

describe('svgToPng', () => {
  const svg =
    '<svg xmlns="http://www.w3.org/2000/svg" width="10" height="5"><rect width="5" height="5" fill="#ff0000"/></svg>';

  it('paints the background option behind transparent areas', () => {
    const image = decodePng(svgToPng(svg, { width: 10, background: '#0000ff' }));
    expect([image.width, image.height]).toEqual([10, 5]);
    const histogram = colourHistogram(image);
    expect(histogram.get('#ff0000')).toBe(25);
    expect(histogram.get('#0000ff')).toBe(25);
  });

  it('throws on SVG that is not well-formed and on a bad width', () => {
    expect(() => svgToPng('<svg><g></svg>')).toThrow(/SVG data parsing failed/);
    expect(() => svgToPng(svg, { width: 0 })).toThrow(
      /options.width must be an integer in \[1, 16384\], got 0/,
    );
    expect(() => svgToPng(svg, { width: 2.5 })).toThrow(/got 2.5/);
  });
});
