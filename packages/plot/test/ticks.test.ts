import fc from 'fast-check';
import { autoRange, formatTick, niceStep, niceTicks } from '../src/index';

describe('niceStep', () => {
  it.each([
    [1, 5, 0.2],
    [30, 6, 5],
    [10, 4, 2],
    [2e-7, 4, 5e-8],
    [1234, 5, 200],
    [0.9, 10, 0.1],
  ])('span %p in ~%p intervals steps by %p', (span, target, expected) => {
    expect(niceStep(span, target).value).toBe(expected);
  });

  it('rejects a non-positive span, naming the argument', () => {
    expect(() => niceStep(0, 5)).toThrow(/span must be a finite number > 0, got 0/);
    expect(() => niceStep(Number.NaN, 5)).toThrow(/span/);
  });
});

describe('niceTicks', () => {
  it('gives the textbook ticks for [0, 1] and a padded [-0.04, 1.04]', () => {
    expect(niceTicks({ min: 0, max: 1 }, 5).values).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks({ min: -0.04, max: 1.04 }, 5).values).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
    expect(niceTicks({ min: -15, max: 15 }, 6).values).toEqual([-15, -10, -5, 0, 5, 10, 15]);
  });

  it('gives exact decimal values (0.3, not 0.30000000000000004)', () => {
    expect(niceTicks({ min: 0, max: 0.9 }, 9).values).toEqual([
      0, 0.1, 0.2, 0.3, 0.4, 0.5, 0.6, 0.7, 0.8, 0.9,
    ]);
  });

  it('rejects an empty or inverted range', () => {
    expect(() => niceTicks({ min: 1, max: 1 }, 5)).toThrow(/finite min < max, got min=1, max=1/);
    expect(() => niceTicks({ min: 0, max: Number.POSITIVE_INFINITY }, 5)).toThrow(/finite/);
  });

  it('for any range: 1-2-5 steps, evenly spaced multiples of the step, covering the range', () => {
    const finite = fc.double({ min: -1e6, max: 1e6, noNaN: true });
    fc.assert(
      fc.property(
        finite,
        fc.double({ min: 1e-6, max: 1e6, noNaN: true }),
        fc.integer({ min: 2, max: 12 }),
        (min, width, target) => {
          const range = { min, max: min + width };
          if (!(range.max > range.min)) return;
          const { step, values } = niceTicks(range, target);
          expect([1, 2, 5]).toContain(step.mantissa);
          expect(step.value).toBeCloseTo(step.mantissa * 10 ** step.exponent, 12);
          expect(values.length).toBeGreaterThanOrEqual(2);
          // Floating point: relative to the step and to the magnitude of the numbers involved.
          const tol = step.value * 1e-6 + Math.abs(range.min) * 1e-12;
          // Inside the range.
          expect(values[0]!).toBeGreaterThanOrEqual(range.min - tol);
          expect(values[values.length - 1]!).toBeLessThanOrEqual(range.max + tol);
          // Covering it: no gap of a whole step at either end.
          expect(values[0]! - range.min).toBeLessThan(step.value + tol);
          expect(range.max - values[values.length - 1]!).toBeLessThan(step.value + tol);
          values.forEach((v, i) => {
            const multiple = Math.round(v / step.value) * step.value;
            expect(Math.abs(v - multiple)).toBeLessThanOrEqual(tol);
            if (i > 0) expect(Math.abs(v - values[i - 1]! - step.value)).toBeLessThanOrEqual(tol);
          });
          // About as many as asked for (1-2-5 rounding moves the count by at most ~2.5x).
          expect(values.length - 1).toBeLessThanOrEqual(Math.ceil(target * 2.5) + 1);
        },
      ),
      { numRuns: 500, seed: 20231126 },
    );
  });
});

describe('autoRange', () => {
  it('pads the finite data by 4% and ignores ±∞ and NaN', () => {
    const r = autoRange([
      Number.POSITIVE_INFINITY,
      0,
      0.5,
      Number.NaN,
      1,
      Number.NEGATIVE_INFINITY,
    ]);
    expect(r.min).toBeCloseTo(-0.04, 12);
    expect(r.max).toBeCloseTo(1.04, 12);
  });

  it('opens a window around constant data and defaults to [0, 1] without data', () => {
    expect(autoRange([5, 5])).toEqual({ min: 4.5, max: 5.5 });
    expect(autoRange([0])).toEqual({ min: -1, max: 1 });
    expect(autoRange([Number.NaN])).toEqual({ min: 0, max: 1 });
  });
});

describe('formatTick', () => {
  it('uses as many decimals as the step needs and a real minus sign', () => {
    const tenth = niceStep(1, 10);
    expect(formatTick(0.3, tenth)).toBe('0.3');
    expect(formatTick(0, tenth)).toBe('0.0');
    expect(formatTick(-0.5, tenth)).toBe('\u22120.5');
    expect(formatTick(-5, niceStep(30, 6))).toBe('\u22125');
  });

  it('switches to exponent notation for very large and very small steps', () => {
    expect(formatTick(3e7, niceStep(1e8, 5))).toBe('3e7');
    expect(formatTick(2.5e-6, niceStep(1e-5, 20))).toBe('2.5e\u22126');
    expect(formatTick(-1e-5, niceStep(1e-4, 5))).toBe('\u22121e\u22125');
  });
});

test('autoRange treats values a few ulps apart as one value (a one-step loss curve)', () => {
  const loss = 0.05758442357182503;
  const range = autoRange([loss, 0.05758442357182502]);
  expect(range.min).toBeCloseTo(loss * 0.9, 15);
  expect(range.max).toBeCloseTo(loss * 1.1, 15);
  expect(niceTicks(range, 5).values.length).toBeLessThan(20);
});
