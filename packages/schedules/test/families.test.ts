/**
 * Against tools/golden/schedules/make_golden_families.py: the normal quantile (scipy's ndtri and a
 * 50-digit mpmath solve), the lognormal / laplace / rectified-flow families and +shift from their
 * papers' own definitions, the parameterisation conversions and the logSNR densities (scipy.stats).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  compareSchedules,
  edmLognormal,
  flowTimeFromGamma,
  flowTimeFromLogSnr,
  flowTimeFromSigma,
  formatSchedule,
  gammaFromFlowTime,
  gammaFromLogSnr,
  gammaFromSigma,
  laplace,
  lognormal,
  logSnrCdf,
  logSnrDensity,
  logSnrFromFlowTime,
  logSnrFromGamma,
  logSnrFromSigma,
  logSnrQuantile,
  normalCdf,
  normalQuantile,
  parseSchedule,
  rectifiedFlow,
  scheduleShift,
  sd3LogitNormal,
  sigmaFromFlowTime,
  sigmaFromGamma,
  sigmaFromLogSnr,
  withInputScale,
  withShift,
} from '../src/index.js';

type Num = number | null;
interface Families {
  conversions: Record<string, { x: number[]; y: Num[] }>;
  t: number[];
  quantile: { p: number[]; ndtri: Num[]; mpmath: Num[] };
  cdf: { z: number[]; ndtr: number[]; mpmath: number[] };
  schedules: { spec: string; gamma: Num[]; logSnr: Num[] }[];
  densities: {
    spec: string;
    min: number;
    max: number;
    bins: number;
    mass: number[];
    massBelow: number;
    massAbove: number;
    cdfAt: number[];
    cdf: number[];
    quantiles: number[];
  }[];
}

const golden: Families = JSON.parse(
  readFileSync(join(__dirname, 'fixtures', 'families.json'), 'utf8'),
);

/** |a − e| / max(1, |e|), infinities must match exactly. */
function error(actual: number, expected: Num): number {
  if (expected === null) return Number.isFinite(actual) ? Number.POSITIVE_INFINITY : 0;
  if (!Number.isFinite(expected)) return actual === expected ? 0 : Number.POSITIVE_INFINITY;
  return Math.abs(actual - expected) / Math.max(1, Math.abs(expected));
}

function expectAll(
  what: string,
  actual: ArrayLike<number>,
  expected: readonly Num[],
  tolerance: number,
  slack: (i: number) => number = () => 0,
): void {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const e = error(actual[i]!, expected[i]!);
    if (!(e <= tolerance + slack(i)))
      throw new Error(`${what}[${i}]: got ${actual[i]}, reference ${expected[i]} (error ${e})`);
  }
}

describe('normal quantile Φ⁻¹ against scipy.special.ndtri and mpmath', () => {
  const { p, ndtri, mpmath } = golden.quantile;
  it('is within 1e-15 relative of the 50-digit value everywhere, tails included', () => {
    let worst = 0;
    p.forEach((pi, i) => {
      const got = normalQuantile(pi);
      const exact = mpmath[i]!;
      const rel = exact === 0 ? Math.abs(got) : Math.abs(got - exact) / Math.abs(exact);
      if (!(rel <= 1e-15))
        throw new Error(`Φ⁻¹(${pi}) = ${got}, mpmath ${exact} (relative ${rel})`);
      worst = Math.max(worst, rel);
    });
    expect(worst).toBeLessThan(1e-15);
  });

  it('agrees with scipy.special.ndtri to 2e-15 relative', () => {
    p.forEach((pi, i) => {
      const got = normalQuantile(pi);
      const scipy = ndtri[i]!;
      const rel = scipy === 0 ? Math.abs(got) : Math.abs(got - scipy) / Math.abs(scipy);
      if (!(rel <= 2e-15)) throw new Error(`Φ⁻¹(${pi}) = ${got}, ndtri ${scipy} (relative ${rel})`);
    });
  });

  it('has the exact ends and symmetry', () => {
    expect(normalQuantile(0)).toBe(Number.NEGATIVE_INFINITY);
    expect(normalQuantile(1)).toBe(Number.POSITIVE_INFINITY);
    expect(normalQuantile(0.5)).toBe(0);
    // 1 − p is exact for p ≥ ½, so the upper half is the lower half mirrored.
    for (const p of [0.5 + 2 ** -30, 0.75, 0.99, 1 - 2 ** -40, 1 - 2 ** -53])
      expect(normalQuantile(p)).toBe(-normalQuantile(1 - p));
    expect(() => normalQuantile(1.5)).toThrow('`p` must be in [0, 1], got 1.5');
    expect(() => normalQuantile(Number.NaN)).toThrow('`p` must be in [0, 1], got NaN');
  });

  it('Φ is relative-accurate in the lower tail (mpmath) and Φ(Φ⁻¹(p)) = p', () => {
    const { z, mpmath: exact } = golden.cdf;
    z.forEach((zi, i) => {
      const got = normalCdf(zi);
      const e = exact[i]!;
      const rel = zi <= 0 ? Math.abs(got - e) / e : Math.abs(got - e);
      if (!(rel <= 1e-15)) throw new Error(`Φ(${zi}) = ${got}, mpmath ${e} (error ${rel})`);
    });
    // Φ has condition number ~z² at z, so one ulp of Φ⁻¹(q) moves Φ by z²·2⁻⁵³ relative.
    for (const q of [1e-300, 1e-100, 1e-12, 0.01, 0.2, 0.4]) {
      const z = normalQuantile(q);
      expect(Math.abs(normalCdf(z) - q) / q).toBeLessThan((1 + z * z) * 4e-16);
    }
  });
});

/** logSNR = ln γ − ln(1 − γ) is ill-conditioned where γ is within ulps of 1: allow that round-off. */
const logSnrSlack =
  (gamma: readonly Num[]) =>
  (i: number): number => {
    const g = gamma[i];
    return g === null || g === undefined ? 0 : (4 * 2 ** -53) / (g * (1 - g));
  };

describe('schedule families against their definitions', () => {
  const t = Float64Array.from(golden.t);
  it.each(golden.schedules.map((s) => [s.spec, s] as const))('%s', (_spec, s) => {
    const schedule = parseSchedule(s.spec);
    const families = s.spec.startsWith('edm') || s.spec.startsWith('logit_normal');
    // EDM and SD3 come back as their lognormal equivalents, formatted canonically.
    if (!families) expect(formatSchedule(schedule)).toBe(s.spec);
    expect(parseSchedule(formatSchedule(schedule)).spec).toBe(schedule.spec);
    expectAll(`${s.spec} gamma`, schedule.gammaArray(t), s.gamma, 1e-14);
    expectAll(
      `${s.spec} logSnr`,
      schedule.logSnrArray(t),
      s.logSnr,
      1e-13,
      s.spec.includes('shift') && !s.spec.startsWith('rectified') ? logSnrSlack(s.gamma) : () => 0,
    );
    expectAll(
      `${s.spec} gamma(t)`,
      Array.from(t, (x) => schedule.gamma(x)),
      s.gamma,
      1e-14,
    );
  });

  it('maps EDM and SD3 parameters onto lognormal exactly', () => {
    expect(parseSchedule('edm@-1.2,1.2').spec).toBe('lognormal@2.4,2.4');
    expect(edmLognormal().spec).toBe('lognormal@2.4,2.4');
    expect(parseSchedule('logit_normal@0,1').spec).toBe('lognormal@0,2');
    expect(sd3LogitNormal({ m: 0.3, s: 0.7 }).spec).toBe('lognormal@-0.6,1.4');
    expect(lognormal().spec).toBe('lognormal@0,2');
  });

  it('inverts in closed form', () => {
    for (const s of [lognormal({ mean: 1, std: 3 }), laplace(), rectifiedFlow()]) {
      for (const x of [0.001, 0.2, 0.5, 0.8, 0.999]) {
        expect(s.tFromLogSnr(s.logSnr(x))).toBeCloseTo(x, 13);
        expect(s.tFromGamma(s.gamma(x))).toBeCloseTo(x, 12);
      }
    }
  });
});

describe('+shift=s', () => {
  it('is logSNR − 2·ln s on γ, and composes', () => {
    const base = parseSchedule('sigmoid@0,3,0.5');
    const shifted = withShift(base, 3);
    for (const x of [0.1, 0.5, 0.9]) {
      expect(shifted.logSnr(x)).toBeCloseTo(base.logSnr(x) - 2 * Math.log(3), 12);
      expect(shifted.gamma(x)).toBeCloseTo(gammaFromLogSnr(shifted.logSnr(x)), 15);
    }
    expect(withShift(shifted, 2).spec).toBe('sigmoid@0,3,0.5+shift=6');
    expect(withShift(shifted, 1 / 3).spec).toBe('sigmoid@0,3,0.5');
    expect(scheduleShift(withShift(shifted, 2))).toBe(6);
  });

  it('differs from +scale=1/s: same logSNR, different γ and input', () => {
    const base = parseSchedule('simple_linear');
    const shifted = parseSchedule('simple_linear+shift=4');
    const scaled = withInputScale(base, 0.25);
    for (const x of [0.2, 0.5, 0.7]) {
      expect(shifted.logSnr(x)).toBeCloseTo(scaled.logSnr(x), 12);
      expect(scaled.gamma(x)).toBe(base.gamma(x));
      expect(shifted.gamma(x)).toBeLessThan(base.gamma(x));
    }
    expect(scaled.inputScale).toBe(0.25);
    expect(shifted.inputScale).toBe(1);
  });

  it('shifts beneath an input scale and writes +shift before +scale', () => {
    const s = withShift(parseSchedule('cosine@0.2,1,1+scale=0.5'), 4);
    expect(s.spec).toBe('cosine@0.2,1,1+shift=4+scale=0.5');
    expect(parseSchedule('cosine@0.2,1,1+scale=0.5+shift=4').spec).toBe(s.spec);
    expect(scheduleShift(s)).toBe(4);
    expect(s.tFromLogSnr(s.logSnr(0.3))).toBeCloseTo(0.3, 12);
  });

  it('rejects bad shifts', () => {
    expect(() => parseSchedule('rectified_flow+shift=0')).toThrow(/\+shift must be > 0, got 0/);
    expect(() => parseSchedule('rectified_flow+shift=2+shift=3')).toThrow(/given twice/);
    expect(() => withShift(rectifiedFlow(), -1)).toThrow('`s` must be a finite number > 0, got -1');
  });
});

describe('conversions between γ, σ, flow time and logSNR', () => {
  const conversions: Record<string, (x: number) => number> = {
    gammaFromLogSnr,
    logSnrFromGamma,
    sigmaFromLogSnr,
    logSnrFromSigma,
    flowTimeFromLogSnr,
    logSnrFromFlowTime,
    gammaFromSigma,
    sigmaFromGamma,
    gammaFromFlowTime,
    flowTimeFromGamma,
    sigmaFromFlowTime,
    flowTimeFromSigma,
  };
  it.each(Object.keys(golden.conversions))('%s matches its formula', (name) => {
    const { x, y } = golden.conversions[name]!;
    const f = conversions[name]!;
    if (name.startsWith('logSnr')) {
      // λ crosses 0: relative above 1, absolute below (as everywhere in these tests)
      expectAll(name, x.map(f), y, 1e-15);
    } else {
      // γ, σ and t are positive and relative-accurate down to the tiniest values
      expectAll(
        name,
        x.map(f),
        y,
        0,
        (i) => (2e-15 * Math.abs(y[i] ?? 0)) / Math.max(1, Math.abs(y[i] ?? 0)),
      );
    }
  });

  it('invert each other where the round trip is well-conditioned', () => {
    for (const l of [-30, -4, -0.5, 0, 0.5, 4, 30]) {
      expect(logSnrFromSigma(sigmaFromLogSnr(l))).toBeCloseTo(l, 13);
      // t and γ are stored near 1 only to ulps of 1: read λ back on their fine side
      if (l >= -4) expect(logSnrFromFlowTime(flowTimeFromLogSnr(l))).toBeCloseTo(l, 13);
      if (l <= 4) expect(logSnrFromGamma(gammaFromLogSnr(l))).toBeCloseTo(l, 13);
      const t = flowTimeFromLogSnr(l);
      expect(flowTimeFromSigma(sigmaFromFlowTime(t))).toBeCloseTo(t, 15);
      if (l <= 4) expect(flowTimeFromGamma(gammaFromFlowTime(t))).toBeCloseTo(t, 15);
    }
  });

  it('are exact at the ends and check their arguments', () => {
    expect(gammaFromLogSnr(Number.POSITIVE_INFINITY)).toBe(1);
    expect(sigmaFromGamma(0)).toBe(Number.POSITIVE_INFINITY);
    expect(flowTimeFromSigma(Number.POSITIVE_INFINITY)).toBe(1);
    expect(logSnrFromFlowTime(0)).toBe(Number.POSITIVE_INFINITY);
    expect(logSnrFromFlowTime(1)).toBe(Number.NEGATIVE_INFINITY);
    expect(logSnrFromSigma(0)).toBe(Number.POSITIVE_INFINITY);
    expect(gammaFromFlowTime(1)).toBe(0);
    expect(() => sigmaFromFlowTime(1.5)).toThrow('`t` must be in [0, 1], got 1.5');
    expect(() => gammaFromSigma(-1)).toThrow('`sigma` must be a number >= 0');
    expect(() => logSnrFromGamma(2)).toThrow('`gamma` must be in [0, 1], got 2');
  });
});

describe('logSNR densities against scipy.stats', () => {
  it.each(golden.densities.map((d) => [d.spec, d] as const))('%s', (_spec, d) => {
    const schedule = parseSchedule(d.spec);
    const density = logSnrDensity(schedule, { min: d.min, max: d.max, bins: d.bins });
    // Bin masses come from 1 − t(x), so they are exact to absolute round-off.
    // (a difference of two CDFs near 1: up to ~4 ulps of 1).
    expectAll('mass', density.mass, d.mass, 5e-16);
    expect(Math.abs(density.massBelow - d.massBelow)).toBeLessThan(5e-16);
    expect(Math.abs(density.massAbove - d.massAbove)).toBeLessThan(5e-16);
    d.cdfAt.forEach((x, i) => {
      expect(Math.abs(logSnrCdf(schedule, x) - d.cdf[i]!)).toBeLessThan(5e-16);
    });
    [0.1, 0.25, 0.5, 0.75, 0.9].forEach((q, i) => {
      expect(logSnrQuantile(schedule, q)).toBeCloseTo(d.quantiles[i]!, 13);
    });
  });
});

describe('compareSchedules on the new families', () => {
  it('splits mass into regions as scipy.stats does', () => {
    const [normal, , laplaceDensity] = golden.densities;
    const cdfAt = (d: typeof normal, x: number): number => {
      if (x === Number.NEGATIVE_INFINITY) return 0;
      if (x === Number.POSITIVE_INFINITY) return 1;
      return d!.cdf[d!.cdfAt.indexOf(x)]!;
    };
    const c = compareSchedules(parseSchedule(normal!.spec), parseSchedule(laplaceDensity!.spec));
    for (const region of c.regions) {
      expect(
        Math.abs(region.massA - (cdfAt(normal, region.to) - cdfAt(normal, region.from))),
      ).toBeLessThan(1e-15);
      expect(
        Math.abs(
          region.massB - (cdfAt(laplaceDensity, region.to) - cdfAt(laplaceDensity, region.from)),
        ),
      ).toBeLessThan(1e-15);
    }
    expect(c.quantilesA).toEqual(
      c.quantilesA.map((_, i) => expect.closeTo(normal!.quantiles[i]!, 13)),
    );
    expect(c.totalVariation).toBeGreaterThan(0.1);
    expect(c.totalVariation).toBeLessThan(1);
  });
});
