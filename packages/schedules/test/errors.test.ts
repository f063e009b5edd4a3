/** Bad input throws a RangeError that names the argument and the allowed range. */
import {
  alphasCumprod,
  cosine,
  ddpmStep,
  linear,
  logSnrDensity,
  sigmoid,
  suggestInputScale,
  timeGrid,
  varianceNormalizer,
  withInputScale,
  x0FromEps,
} from '../src/index.js';

const throwsRange = (f: () => unknown, message: RegExp | string): void => {
  expect(f).toThrow(RangeError);
  expect(f).toThrow(message);
};

describe('argument checks', () => {
  const s = sigmoid();
  it('t outside [0, 1] or NaN', () => {
    throwsRange(() => s.gamma(1.5), '`t` must be in [0, 1], got 1.5');
    throwsRange(() => s.gamma(-0.1), '`t` must be in [0, 1], got -0.1');
    throwsRange(() => s.logSnr(Number.NaN), '`t` must be in [0, 1], got NaN');
    throwsRange(() => s.gammaArray(Float64Array.of(0.1, 2)), '`t[1]` must be in [0, 1], got 2');
    throwsRange(
      () => s.alphaSigma(Number.POSITIVE_INFINITY),
      '`t` must be in [0, 1], got Infinity',
    );
  });
  it('schedule parameters', () => {
    throwsRange(() => sigmoid({ start: 3, end: 3 }), '`start` must be < `end`, got start=3, end=3');
    throwsRange(() => cosine({ start: 0.8, end: 0.2 }), '`start` must be < `end`');
    throwsRange(() => cosine({ end: 2 }), '`end` must be in [0, 1], got 2');
    throwsRange(() => sigmoid({ tau: -1 }), '`tau` must be a finite number > 0, got -1');
    throwsRange(() => cosine({ tau: Number.NaN }), '`tau` must be a finite number > 0, got NaN');
    throwsRange(() => linear({ clipMin: 0.9 }), '`clipMin` must be in [0, 0.5], got 0.9');
  });
  it('input scale b', () => {
    throwsRange(() => withInputScale(s, 0), '`b` must be a finite number > 0, got 0');
    throwsRange(() => withInputScale(s, -1), '`b` must be a finite number > 0, got -1');
    throwsRange(
      () => varianceNormalizer(0.5, Number.NaN),
      '`b` must be a finite number > 0, got NaN',
    );
    throwsRange(() => varianceNormalizer(2, 1), '`gamma` must be in [0, 1], got 2');
  });
  it('inverse maps, arrays and tools', () => {
    throwsRange(() => s.tFromGamma(1.2), '`gamma` must be in [0, 1], got 1.2');
    throwsRange(() => s.tFromLogSnr(Number.NaN), '`logSnr` must be a number, got NaN');
    throwsRange(() => s.gammaArray([0.5], new Float64Array(2)), '`out` must have length 1');
    throwsRange(() => alphasCumprod(s, 0), '`steps` must be an integer >= 1, got 0');
    throwsRange(() => timeGrid(2.5), '`steps` must be an integer >= 1, got 2.5');
    throwsRange(() => logSnrDensity(s, { min: 5, max: -5 }), '`min` must be < `max`');
    throwsRange(() => suggestInputScale(0), '`resolution` must be a finite number > 0, got 0');
    throwsRange(
      () => x0FromEps(new Float64Array(6), new Float64Array(6), [0.5, 0.5, 0.5, 0.5]),
      'one value per example (a divisor of 6), got length 4',
    );
    throwsRange(
      () => x0FromEps(new Float64Array(2), new Float64Array(3), 0.5),
      '`eps` must have the length of `x` (2), got 3',
    );
    throwsRange(
      () =>
        ddpmStep({
          xt: new Float64Array(2),
          eps: new Float64Array(2),
          noise: new Float64Array(2),
          gammaNow: 0.5,
          gammaNext: [0.6, 1.4],
        }),
      '`gammaNext[1]` must be in [0, 1], got 1.4',
    );
  });
});
