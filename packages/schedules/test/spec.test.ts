import {
  cosine,
  cosineSimple,
  formatSchedule,
  fromLogSnr,
  linear,
  parseSchedule,
  sigmoid,
  withInputScale,
} from '../src/index.js';

describe('parseSchedule', () => {
  it.each([
    ['simple_linear', 'simple_linear', 'linear'],
    ['linear', 'simple_linear', 'linear'],
    ['cosine', 'cosine', 'cosineSimple'],
    ['cosine@0.2,1,1', 'cosine@0.2,1,1', 'cosine'],
    [' sigmoid@-3, 3, 0.9 ', 'sigmoid@-3,3,0.9', 'sigmoid'],
    ['sigmoid', 'sigmoid@-3,3,1', 'sigmoid'],
    ['simple_linear+scale=0.5', 'simple_linear+scale=0.5', 'linear'],
    ['simple_linear+scale=1', 'simple_linear', 'linear'],
    ['sigmoid@0,3,0.5+scale=0.3+clip=1e-6', 'sigmoid@0,3,0.5+clip=0.000001+scale=0.3', 'sigmoid'],
    ['iddpm_cosine', 'iddpm_cosine', 'iddpmCosine'],
    ['iddpm_cosine@0.01', 'iddpm_cosine@0.01', 'iddpmCosine'],
    ['shifted_cosine@256,64', 'shifted_cosine@256,64', 'shiftedCosine'],
    ['shifted_cosine@256,64,-15,15', 'shifted_cosine@256,64,-15,15', 'shiftedCosine'],
    ['interpolated_cosine@512,32,256', 'interpolated_cosine@512,32,256', 'interpolatedCosine'],
    ['lognormal@0,2', 'lognormal@0,2', 'lognormal'],
    ['lognormal@2.4, 2.4', 'lognormal@2.4,2.4', 'lognormal'],
    ['edm@-1.2,1.2', 'lognormal@2.4,2.4', 'lognormal'],
    ['logit_normal@0,1', 'lognormal@0,2', 'lognormal'],
    ['laplace', 'laplace@0,0.5', 'laplace'],
    ['laplace@1,2', 'laplace@1,2', 'laplace'],
    ['rectified_flow', 'rectified_flow', 'rectifiedFlow'],
    ['rectified_flow+shift=3', 'rectified_flow+shift=3', 'rectifiedFlow'],
    ['rectified_flow+shift=1', 'rectified_flow', 'rectifiedFlow'],
    ['sigmoid@0,3,0.5+scale=0.3+shift=2', 'sigmoid@0,3,0.5+shift=2+scale=0.3', 'sigmoid'],
    ['simple_linear+shift=2+clip=1e-5', 'simple_linear+clip=0.00001+shift=2', 'linear'],
  ])('%s → %s', (input, canonical, family) => {
    const s = parseSchedule(input);
    expect(s.spec).toBe(canonical);
    expect(s.family).toBe(family);
    expect(formatSchedule(s)).toBe(canonical);
    expect(parseSchedule(canonical).spec).toBe(canonical);
  });

  it('builds the same maths as the constructors', () => {
    expect(parseSchedule('cosine@0.2,1,2').gamma(0.3)).toBe(
      cosine({ start: 0.2, end: 1, tau: 2 }).gamma(0.3),
    );
    expect(parseSchedule('sigmoid@0,3,0.7').gamma(0.3)).toBe(
      sigmoid({ start: 0, end: 3, tau: 0.7 }).gamma(0.3),
    );
    expect(parseSchedule('cosine').gamma(0.3)).toBe(cosineSimple().gamma(0.3));
    expect(parseSchedule('simple_linear+scale=0.5').logSnr(0.3)).toBe(
      withInputScale(linear(), 0.5).logSnr(0.3),
    );
  });

  it.each([
    ['', /unknown schedule name ""/],
    ['cosin@0,1,1', /unknown schedule name "cosin"/],
    ['cosine@0.2,1', /`cosine` takes 3 comma-separated numbers after @, got 2/],
    ['sigmoid@a,3,1', /field 1 "a" is not a finite number/],
    ['sigmoid@3,-3,1', /`start` must be < `end`/],
    ['sigmoid@-3,3,0', /`tau` must be a finite number > 0, got 0/],
    ['simple_linear+scale=0', /\+scale must be > 0/],
    ['simple_linear+scale=-2', /\+scale must be > 0/],
    ['simple_linear+gain=2', /unknown modifier "\+gain=2"/],
    ['simple_linear+scale=0.5+scale=0.3', /given twice/],
    ['cosine+clip=1e-5', /\+clip does not apply to `cosine`/],
    ['simple_linear@1', /takes no fields/],
    ['shifted_cosine@256,64,-15', /both logSnrMin and logSnrMax/],
    ['lognormal@0', /`lognormal` takes 2 comma-separated numbers after @, got 1/],
    ['lognormal@0,-1', /`std` must be a finite number > 0, got -1/],
    ['edm@-1.2,0', /`pStd` must be a finite number > 0, got 0/],
    ['laplace@0,0.5+clip=1e-3', /\+clip does not apply to `laplace`/],
    ['rectified_flow@1', /`rectified_flow` takes no fields/],
    ['rectified_flow+shift=-3', /\+shift must be > 0, got -3/],
    ['rectified_flow+shift=x', /\+shift "x" is not a finite number/],
  ])('rejects %j with a SyntaxError', (spec, message) => {
    expect(() => parseSchedule(spec)).toThrow(SyntaxError);
    expect(() => parseSchedule(spec)).toThrow(message);
  });

  it('custom schedules have no spec', () => {
    expect(() => formatSchedule(fromLogSnr((t) => 5 - 10 * t))).toThrow(/fromLogSnr/);
  });
});
