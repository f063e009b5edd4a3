/** The hot-loop kernels against V8's correctly rounded Math functions, in ulps. */
import { cosQuarterTurn, expKernel, powInt } from '../src/kernels.js';

/** Distance in units in the last place of `expected`. */
function ulps(actual: number, expected: number): number {
  if (actual === expected) return 0;
  const ulp = 2 ** (Math.floor(Math.log2(Math.abs(expected))) - 52);
  return Math.abs(actual - expected) / ulp;
}

function worst(f: (x: number) => number, g: (x: number) => number, xs: Iterable<number>): number {
  let max = 0;
  for (const x of xs) max = Math.max(max, ulps(f(x), g(x)));
  return max;
}

function* grid(lo: number, hi: number, n: number, seed = 1): Generator<number> {
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (s * 48271) % 2147483647;
    yield lo + ((hi - lo) * (i + s / 2147483647)) / n;
  }
}

describe('kernels', () => {
  it('exp within 3 ulps on [−700, 700]', () => {
    expect(worst(expKernel, Math.exp, grid(-50, 50, 200_000))).toBeLessThanOrEqual(3);
    expect(worst(expKernel, Math.exp, grid(-700, 700, 50_000))).toBeLessThanOrEqual(3);
    expect(expKernel(0)).toBe(1);
    expect(expKernel(Number.NEGATIVE_INFINITY)).toBe(0);
    expect(expKernel(Number.POSITIVE_INFINITY)).toBe(Number.POSITIVE_INFINITY);
    expect(expKernel(-800)).toBe(Math.exp(-800));
    expect(Number.isNaN(expKernel(Number.NaN))).toBe(true);
  });

  it('cos within 2 ulps on [0, π/2], relative accuracy kept near π/2', () => {
    expect(worst(cosQuarterTurn, Math.cos, grid(0, Math.PI / 2, 200_000))).toBeLessThanOrEqual(2);
    const nearZero = [Math.PI / 2, Math.PI / 2 - 1e-12, Math.PI / 2 - 1e-6, Math.PI / 2 - 0.01];
    expect(worst(cosQuarterTurn, Math.cos, nearZero)).toBeLessThanOrEqual(2);
    expect(cosQuarterTurn(0)).toBe(1);
    expect(cosQuarterTurn(2)).toBe(Math.cos(2));
  });

  it('powInt within n ulps of Math.pow (each squaring doubles the relative error)', () => {
    for (const n of [0, 1, 2, 3, 4, 6, 8]) {
      expect(
        worst(
          (x) => powInt(x, n),
          (x) => x ** n,
          grid(1e-5, 1, 20_000),
        ),
      ).toBeLessThanOrEqual(Math.max(1, n));
    }
  });
});
