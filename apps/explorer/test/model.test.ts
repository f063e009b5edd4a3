/** The page's numbers, in Node: the view is @ns/schedules' output, errors are its messages. */
import {
  logSnrDensity,
  parseSchedule,
  resolutionRules,
  samplingGrid,
  withInputScale,
} from '@ns/schedules';
import { dataRange, lineChart, ticks } from '../src/chart';
import {
  applyRule,
  computeView,
  DENSITY_RANGE,
  type ExplorerInputs,
  PRESETS,
  trainCommand,
} from '../src/model';

const inputs: ExplorerInputs = {
  spec: 'sigmoid@0,3,0.5',
  compare: 'logit_normal@0,1',
  scale: 0.4,
  resolution: 512,
  steps: 12,
  spacing: 'karras',
};

describe('computeView', () => {
  it('is the library’s schedule, density, grid and rules', () => {
    const view = computeView(inputs);
    if (!view.ok) throw new Error(view.error);
    const schedule = withInputScale(parseSchedule(inputs.spec), 0.4);
    expect(view.spec).toBe('sigmoid@0,3,0.5+scale=0.4');
    expect(view.baseSpec).toBe('sigmoid@0,3,0.5');
    expect(view.logSnrHalf).toBe(schedule.logSnr(0.5));
    expect(view.curves[0]!.gamma).toEqual(schedule.gammaArray(view.t));
    expect(view.curves[1]!.name).toBe('lognormal@0,2');
    expect(view.curves[1]!.density).toEqual(
      logSnrDensity(parseSchedule('lognormal@0,2'), DENSITY_RANGE).density,
    );
    const grid = samplingGrid(schedule, 12, 'karras');
    expect(view.grid.tNow).toEqual(grid.tNow);
    expect(view.grid.spacing).toBe('karras@0.002,80,7');
    expect(view.rules).toEqual(resolutionRules(512));
    expect(view.trainCommand).toBe(
      "ns train --preset mnist --data mnist --steps 20000 --out runs/explorer --schedule 'sigmoid@0,3,0.5' --scale 0.4",
    );
  });

  it('folds a +scale in the spec into the --scale of the command', () => {
    expect(trainCommand(withInputScale(parseSchedule('simple_linear+scale=0.5'), 0.5))).toMatch(
      /--schedule 'simple_linear' --scale 0.25$/,
    );
    const chen = resolutionRules(256)[0]!;
    expect(applyRule(chen)).toEqual({ spec: 'simple_linear', scale: 0.5 });
    expect(applyRule(resolutionRules(1024)[2]!)).toEqual({
      spec: 'lognormal@0,2+shift=4',
      scale: 1,
    });
  });

  it.each([
    ['spec', { spec: 'cosine@0.2,1' }],
    ['compare', { compare: 'lognormal@0' }],
    ['scale', { scale: 0 }],
    ['steps', { steps: 2.5 }],
    ['spacing', { spacing: 'even' }],
    ['resolution', { resolution: -3 }],
  ] as const)('names the field and gives the library’s message for a bad %s', (field, change) => {
    const view = computeView({ ...inputs, ...change });
    expect(view.ok).toBe(false);
    if (view.ok) return;
    expect(view.field).toBe(field);
    const library = (): unknown => {
      if ('spec' in change) return parseSchedule(change.spec);
      if ('compare' in change) return parseSchedule(change.compare);
      if ('scale' in change) return withInputScale(parseSchedule(inputs.spec), change.scale);
      if ('steps' in change)
        return samplingGrid(parseSchedule(inputs.spec), change.steps, 'karras');
      if ('spacing' in change) return samplingGrid(parseSchedule(inputs.spec), 12, change.spacing);
      return resolutionRules(change.resolution);
    };
    expect(library).toThrow(view.error);
  });

  it('every preset parses', () => {
    for (const p of PRESETS) expect(computeView({ ...inputs, spec: p.spec }).ok).toBe(true);
  });
});

describe('plain SVG charts', () => {
  it('draws gaps at non-finite values and dots for the grid', () => {
    const svg = lineChart({
      id: 'c',
      title: 'a < b',
      xLabel: 't',
      yLabel: 'y',
      x: { min: 0, max: 1 },
      series: [
        { name: 'line', x: [0, 0.5, 1], y: [Number.POSITIVE_INFINITY, 0, 1], colour: '#000' },
        { name: 'dots', x: [0, 1], y: [0, 1], colour: '#f00', dots: true },
      ],
    });
    expect(svg).toContain('a &lt; b');
    expect(svg).toMatch(/data-series="line"[^>]*d="M\d/); // starts after the gap
    expect(svg.match(/<circle/g)).toHaveLength(2);
    expect(ticks({ min: -15, max: 15 })).toEqual([-10, 0, 10]);
    expect(ticks({ min: 0, max: 1 })).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(dataRange([{ name: '', x: [0], y: [Number.NaN], colour: '' }])).toEqual({
      min: 0,
      max: 1,
    });
  });
});
