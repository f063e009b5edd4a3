/** Property tests (fast-check): monotonicity, endpoints, the exact 2·ln b shift, inverse round trips. */
import fc from 'fast-check';
import {
  cosine,
  cosineSimple,
  fromLogSnr,
  iddpmCosine,
  interpolatedCosine,
  laplace,
  linear,
  lognormal,
  parseSchedule,
  rectifiedFlow,
  type Schedule,
  shiftedCosine,
  sigmoid,
  withInputScale,
  withShift,
} from '../src/index.js';

const cosineArb = fc
  .record({
    start: fc.double({ min: 0, max: 0.6, noNaN: true }),
    span: fc.double({ min: 0.2, max: 0.4, noNaN: true }),
    tau: fc.double({ min: 0.3, max: 4, noNaN: true }),
  })
  .map(({ start, span, tau }) => cosine({ start, end: start + span, tau }));

const sigmoidArb = fc
  .record({
    start: fc.double({ min: -6, max: 2, noNaN: true }),
    span: fc.double({ min: 0.5, max: 8, noNaN: true }),
    tau: fc.double({ min: 0.2, max: 10, noNaN: true }),
  })
  .map(({ start, span, tau }) => sigmoid({ start, end: start + span, tau }));

const fixedArb = fc.constantFrom<Schedule>(
  linear(),
  cosine(),
  sigmoid(),
  cosineSimple(),
  iddpmCosine(),
  shiftedCosine({ imageSize: 256 }),
  interpolatedCosine({ imageSize: 128 }),
  rectifiedFlow(),
  fromLogSnr((t) => 10 - 25 * t ** 1.5),
);

const lognormalArb = fc
  .record({
    mean: fc.double({ min: -5, max: 5, noNaN: true }),
    std: fc.double({ min: 0.3, max: 4, noNaN: true }),
  })
  .map(lognormal);

const laplaceArb = fc
  .record({
    mu: fc.double({ min: -5, max: 5, noNaN: true }),
    b: fc.double({ min: 0.2, max: 3, noNaN: true }),
  })
  .map(laplace);

const baseArb = fc.oneof(cosineArb, sigmoidArb, fixedArb, lognormalArb, laplaceArb);
/** Every base schedule, and the same under SD3's `+shift=s`. */
const scheduleArb = fc.oneof(
  baseArb,
  fc
    .tuple(baseArb, fc.double({ min: 0.1, max: 10, noNaN: true }))
    .map(([s, shift]) => withShift(s, shift)),
);
const tArb = fc.double({ min: 0, max: 1, noNaN: true });
const scaleArb = fc.double({ min: 1e-3, max: 10, noNaN: true });

describe('schedule properties', () => {
  it('γ is non-increasing in t and lies in [0, 1]', () => {
    fc.assert(
      fc.property(scheduleArb, tArb, tArb, (s, a, b) => {
        const [lo, hi] = a <= b ? [a, b] : [b, a];
        const gLo = s.gamma(lo);
        const gHi = s.gamma(hi);
        return gLo >= gHi - 1e-15 && gHi >= 0 && gLo <= 1;
      }),
    );
  });

  it('Algorithm 1 families start at γ(0) = 1 and end at clipMin', () => {
    fc.assert(
      fc.property(fc.oneof(cosineArb, sigmoidArb), (s) => {
        expect(s.gamma(0)).toBe(1);
        expect(s.gammaArray([0])[0]).toBe(1);
        expect(s.gamma(1)).toBe(1e-9);
        expect(s.logSnr(1)).toBeCloseTo(Math.log(1e-9), 6);
      }),
    );
    expect(linear().gamma(0)).toBe(1);
    expect(linear().logSnr(0)).toBe(Number.POSITIVE_INFINITY);
  });

  it('input scaling shifts logSNR by exactly 2·ln b and leaves γ alone', () => {
    fc.assert(
      fc.property(scheduleArb, scaleArb, tArb, (s, b, t) => {
        const scaled = withInputScale(s, b);
        expect(scaled.logSnr(t)).toBe(s.logSnr(t) + 2 * Math.log(b));
        expect(scaled.gamma(t)).toBe(s.gamma(t));
        const { alpha, sigma } = scaled.alphaSigma(t);
        expect(alpha).toBe(Math.sqrt(s.gamma(t)) * b);
        expect(sigma).toBe(Math.sqrt(1 - s.gamma(t)));
      }),
    );
  });

  it('scaled logSnrArray equals the scalar form element by element', () => {
    fc.assert(
      fc.property(
        scheduleArb,
        scaleArb,
        fc.array(tArb, { minLength: 1, maxLength: 20 }),
        (s, b, ts) => {
          const scaled = withInputScale(s, b);
          const values = scaled.logSnrArray(Float64Array.from(ts));
          ts.forEach((t, i) => {
            const expected = scaled.logSnr(t);
            if (Number.isFinite(expected))
              expect(Math.abs(values[i]! - expected)).toBeLessThanOrEqual(
                1e-12 * Math.max(1, Math.abs(expected)),
              );
            else expect(values[i]).toBe(expected);
          });
        },
      ),
    );
  });

  it('tFromGamma inverts gamma where γ is not clipped or flat', () => {
    fc.assert(
      fc.property(scheduleArb, fc.double({ min: 0.02, max: 0.98, noNaN: true }), (s, t) => {
        const g = s.gamma(t);
        fc.pre(g > 1e-6 && g < 1 - 1e-6);
        const back = s.tFromGamma(g);
        // Compare in γ, where the inverse is well conditioned, and in t up to the local slope.
        expect(Math.abs(s.gamma(back) - g)).toBeLessThanOrEqual(1e-12);
      }),
    );
  });

  it('tFromLogSnr inverts logSnr (also for shifted and scaled schedules)', () => {
    fc.assert(
      fc.property(
        baseArb,
        fc.option(fc.double({ min: 0.1, max: 10, noNaN: true }), { nil: undefined }),
        scaleArb,
        fc.double({ min: 0.02, max: 0.98, noNaN: true }),
        (base, shift, b, t) => {
          // Where the family itself is within 18 of logSNR 0: beyond, γ or 1 − γ of the family is
          // below ~1e-8 and its closed-form inverse has lost those digits in float64. A shift
          // or a scale only moves logSNR by a constant, so the bound is on the family's own.
          fc.pre(Math.abs(base.logSnr(t)) < 18);
          const scaled = withInputScale(shift === undefined ? base : withShift(base, shift), b);
          const l = scaled.logSnr(t);
          const back = scaled.tFromLogSnr(l);
          expect(Math.abs(scaled.logSnr(back) - l)).toBeLessThanOrEqual(
            1e-9 * Math.max(1, Math.abs(l)),
          );
        },
      ),
    );
  });

  it('closed-form inverses agree with t to 1e-12 away from the flat ends', () => {
    for (const s of [
      linear(),
      cosine(),
      cosine({ start: 0.2, end: 1, tau: 2 }),
      sigmoid({ start: 0, end: 3, tau: 0.5 }),
      cosineSimple(),
      iddpmCosine(),
      shiftedCosine({ imageSize: 512 }),
    ]) {
      for (let t = 0.05; t < 0.96; t += 0.05) {
        expect(Math.abs(s.tFromGamma(s.gamma(t)) - t)).toBeLessThan(
          1e-12 / Math.max(1e-3, Math.abs(slope(s, t))) + 1e-13,
        );
      }
    }
  });

  it('spec strings round-trip through parse and format', () => {
    fc.assert(
      fc.property(
        scheduleArb.filter((s) => s.spec !== undefined),
        scaleArb,
        tArb,
        (s, b, t) => {
          const scaled = withInputScale(s, b);
          const again = parseSchedule(scaled.spec!);
          expect(again.spec).toBe(scaled.spec);
          expect(again.gamma(t)).toBe(scaled.gamma(t));
          expect(again.logSnr(t)).toBe(scaled.logSnr(t));
        },
      ),
    );
  });
});

/** dγ/dt by central differences (only to scale a tolerance). */
function slope(s: Schedule, t: number): number {
  const h = 1e-6;
  return (s.gamma(Math.min(t + h, 1)) - s.gamma(Math.max(t - h, 0))) / (2 * h);
}
