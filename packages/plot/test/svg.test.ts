import { Resvg } from '@resvg/resvg-js';
import { type ChartSpec, escapeXml, lineChartSvg, OKABE_ITO } from '../src/index';
import { scheduleLikeSpec } from './sample-spec';
import { assertWellFormedXml } from './xml-check';

/** The `d` attribute of each series path with the given (unescaped) name, in document order. */
function seriesPaths(svg: string, name: string): { d: string; stroke: string }[] {
  const re = /<path data-series="([^"]*)" d="([^"]*)" fill="none" stroke="([^"]*)"/g;
  return [...svg.matchAll(re)]
    .filter((m) => m[1] === escapeXml(name))
    .map((m) => ({ d: m[2]!, stroke: m[3]! }));
}

function legendLabels(svg: string): string[] {
  return [...svg.matchAll(/<text class="legend-label"[^>]*>([^<]*)<\/text>/g)].map((m) => m[1]!);
}

/** Text of the tick labels of one panel. */
function tickLabels(svg: string, panel: number): string[] {
  const start = svg.indexOf(`<g class="panel" data-panel="${panel}">`);
  const group = svg.slice(svg.indexOf('<g class="tick-labels"', start));
  const end = group.indexOf('</g>');
  return [...group.slice(0, end).matchAll(/>([^<]+)<\/text>/g)].map((m) => m[1]!);
}

describe('xml-check (the test helper itself)', () => {
  it.each([
    ['<svg><g></svg>', /closes <g>/],
    ['<svg><text>a < b</text></svg>', /raw '<'|bad tag/],
    ['<svg><text>R&D</text></svg>', /unescaped '&'/],
    ['<svg a="1" a="2"/>', /duplicate attribute/],
    ['<svg a=1/>', /bad attribute/],
    ['<svg/><svg/>', /second root/],
    ['<svg>', /unclosed/],
  ])('rejects %p', (xml, message) => {
    expect(() => assertWellFormedXml(xml)).toThrow(message);
  });
});

describe('lineChartSvg', () => {
  const spec = scheduleLikeSpec();
  const svg = lineChartSvg(spec);

  it('is a well-formed SVG document that resvg accepts', () => {
    expect(assertWellFormedXml(svg)).toBe('svg');
    const resvg = new Resvg(svg, { font: { loadSystemFonts: false } });
    expect(resvg.width).toBe(800);
    expect(resvg.height).toBeGreaterThan(300);
  });

  it('renders without any fonts available (text is skipped, nothing throws)', () => {
    const png = new Resvg(svg, { font: { loadSystemFonts: false } }).render().asPng();
    expect(png.length).toBeGreaterThan(1000);
  });

  it('never prints non-finite numbers or more than 2 decimals', () => {
    expect(svg).not.toMatch(/NaN|Infinity/);
    const numbers = svg.match(/-?\d+\.\d+/g) ?? [];
    expect(numbers.length).toBeGreaterThan(100);
    for (const n of numbers) expect(n).toMatch(/^-?\d+\.\d{1,2}$/);
  });

  it('is deterministic', () => {
    expect(lineChartSvg(scheduleLikeSpec())).toBe(svg);
  });

  it('has one legend entry per series name, even when a name is in several panels', () => {
    expect(legendLabels(svg)).toEqual(['cosine', 'linear', 'cosine shifted']);
  });

  it('gives a name the same Okabe–Ito colour in every panel', () => {
    const cosine = seriesPaths(svg, 'cosine');
    const linear = seriesPaths(svg, 'linear');
    expect(cosine).toHaveLength(2);
    expect(new Set(cosine.map((p) => p.stroke))).toEqual(new Set([OKABE_ITO[0]]));
    expect(new Set(linear.map((p) => p.stroke))).toEqual(new Set([OKABE_ITO[1]]));
    expect(svg).toMatch(/data-series="cosine shifted"[^>]*stroke-dasharray="7 4"/);
  });

  it('breaks the logSNR line where it is infinite instead of drawing through it', () => {
    // cosine: logSNR(0) = +∞, logSNR(1) is finite (cos² never hits exactly 0) → one subpath.
    // linear: logSNR(0) = +∞ and logSNR(1) = −∞ → both ends are dropped.
    const [gamma, logSnr] = seriesPaths(svg, 'linear');
    expect(gamma!.d.match(/M/g)).toHaveLength(1);
    expect(gamma!.d.match(/L/g)).toHaveLength(100);
    expect(logSnr!.d.match(/M/g)).toHaveLength(1);
    expect(logSnr!.d.match(/L/g)).toHaveLength(98);
  });

  it('splits a series into one subpath per finite run, with a dot for a lone point', () => {
    const inf = Number.POSITIVE_INFINITY;
    const chart: ChartSpec = {
      panels: [
        {
          title: 'gaps',
          xLabel: 'x',
          yLabel: 'y',
          series: [
            {
              name: 's',
              x: [0, 1, 2, 3, 4, 5, 6, 7, 8],
              y: [inf, 1, 2, inf, 3, 4, Number.NaN, 5, -inf],
            },
          ],
        },
      ],
    };
    const out = lineChartSvg(chart);
    assertWellFormedXml(out);
    const [path] = seriesPaths(out, 's');
    const subpaths = path!.d.split('M').filter((p) => p !== '');
    expect(subpaths).toHaveLength(3);
    expect(subpaths.map((p) => (p.match(/L/g) ?? []).length)).toEqual([1, 1, 0]);
    expect(subpaths[2]).toMatch(/l0 0$/);
  });

  it('labels nice ticks that cover a fixed range', () => {
    expect(tickLabels(svg, 1).slice(-7)).toEqual([
      '\u221215',
      '\u221210',
      '\u22125',
      '0',
      '5',
      '10',
      '15',
    ]);
    // Panel 0: x in [0, 1] padded → x ticks 0.0 … 1.0; y (γ in [0, 1]) likewise.
    expect(tickLabels(svg, 0)).toEqual([
      '0.0',
      '0.2',
      '0.4',
      '0.6',
      '0.8',
      '1.0',
      '0.0',
      '0.2',
      '0.4',
      '0.6',
      '0.8',
      '1.0',
    ]);
  });

  it('escapes titles, labels and series names', () => {
    const nasty = `a<b & "c" 'd' >`;
    const chart: ChartSpec = {
      title: `T&<`,
      panels: [
        {
          title: nasty,
          xLabel: '<x>',
          yLabel: '&y;',
          series: [{ name: `${nasty}\u0001`, x: [0, 1], y: [0, 1] }],
        },
      ],
    };
    const out = lineChartSvg(chart);
    expect(assertWellFormedXml(out)).toBe('svg');
    new Resvg(out, { font: { loadSystemFonts: false } });
    expect(out).toContain('a&lt;b &amp; &quot;c&quot; &apos;d&apos; &gt;');
    expect(out).toContain('&lt;x&gt;');
    expect(out).toContain('&amp;y;');
    expect(out).toContain('T&amp;&lt;');
    expect(out).not.toContain('\u0001');
    expect(legendLabels(out)).toEqual(['a&lt;b &amp; &quot;c&quot; &apos;d&apos; &gt;\uFFFD']);
  });

  it('wraps a long legend into several rows inside the figure', () => {
    const names = Array.from({ length: 8 }, (_, i) => `schedule number ${i}`);
    const chart: ChartSpec = {
      panels: [
        {
          title: 'p',
          xLabel: 'x',
          yLabel: 'y',
          series: names.map((name) => ({ name, x: [0, 1], y: [0, 1] })),
        },
      ],
    };
    const out = lineChartSvg(chart);
    const ys = new Set(
      [...out.matchAll(/class="legend-label" x="([\d.]+)" y="([\d.]+)"/g)].map((m) => m[2]),
    );
    expect(ys.size).toBeGreaterThan(1);
    for (const m of out.matchAll(/class="legend-label" x="([\d.]+)"/g)) {
      expect(Number(m[1])).toBeGreaterThan(0);
      expect(Number(m[1])).toBeLessThan(400);
    }
  });

  it('rejects malformed specs with messages naming the argument', () => {
    expect(() => lineChartSvg({ panels: [] })).toThrow(/spec.panels must contain at least one/);
    const panel = { title: 't', xLabel: 'x', yLabel: 'y', series: [] };
    expect(() => lineChartSvg({ panels: [{ ...panel, yRange: { min: 2, max: 1 } }] })).toThrow(
      /panels\[0\]\.yRange must have finite min < max, got min=2, max=1/,
    );
    expect(() =>
      lineChartSvg({ panels: [{ ...panel, series: [{ name: 'a', x: [0, 1], y: [0] }] }] }),
    ).toThrow(/panels\[0\]\.series\[0\] \("a"\).*x.length=2, y.length=1/);
    expect(() => lineChartSvg({ panels: [panel], panelWidth: 10 })).toThrow(/panelWidth must be/);
  });
});
