import {
  compareSchedules,
  cosine,
  linear,
  logSnrCdf,
  logSnrDensity,
  logSnrQuantile,
  sigmoid,
  suggestInputScale,
  varianceNormalizer,
  withInputScale,
} from '../src/index.js';

describe('logSNR density for t ~ U(0, 1)', () => {
  it('matches a Monte-Carlo histogram of λ(t)', () => {
    const s = cosine({ start: 0.2, end: 1, tau: 2 });
    const density = logSnrDensity(s, { min: -20, max: 20, bins: 40 });
    const counts = new Float64Array(40);
    const n = 200_000;
    let below = 0;
    for (let i = 0; i < n; i++) {
      const l = s.logSnr((i + 0.5) / n);
      if (l < -20) below++;
      else if (l < 20) counts[Math.floor(l + 20)]!++;
    }
    for (let i = 0; i < 40; i++)
      expect(Math.abs(counts[i]! / n - density.mass[i]!)).toBeLessThan(2e-5);
    expect(Math.abs(below / n - density.massBelow)).toBeLessThan(2e-5);
  });

  it('is a probability distribution and for 1 − t equals the logistic density', () => {
    const d = logSnrDensity(linear(), { min: -30, max: 30, bins: 600 });
    const total = d.mass.reduce((a, b) => a + b, 0) + d.massBelow + d.massAbove;
    expect(total).toBeCloseTo(1, 12);
    // λ = ln((1−t)/t) with t uniform ⇒ λ ~ Logistic(0, 1): p(λ) = σ(λ)σ(−λ).
    for (let i = 0; i < 600; i += 37) {
      const x = d.centers[i]!;
      const logistic = 1 / (1 + Math.exp(-x)) / (1 + Math.exp(x));
      expect(d.density[i]).toBeCloseTo(logistic, 4);
    }
  });

  it('input scaling only translates the density by 2·ln b (Figure 5)', () => {
    const b = 0.1;
    const shift = 2 * Math.log(b);
    const base = linear();
    const scaled = withInputScale(base, b);
    for (const x of [-8, -3, 0, 2.5]) {
      expect(logSnrCdf(scaled, x + shift)).toBeCloseTo(logSnrCdf(base, x), 12);
    }
    expect(logSnrQuantile(scaled, 0.5)).toBeCloseTo(logSnrQuantile(base, 0.5) + shift, 12);
  });

  it('compares where two schedules put their mass', () => {
    const noisy = sigmoid({ start: 0, end: 3, tau: 0.5 });
    const c = compareSchedules(linear(), noisy);
    expect(c.quantilesA[2]).toBeCloseTo(0, 12); // median of 1 − t is λ = 0
    expect(c.quantilesB[2]).toBeLessThan(-2); // the sigmoid trains noisier
    expect(c.fractionCleanerA).toBe(1);
    expect(c.regions.reduce((a, r) => a + r.massA, 0)).toBeCloseTo(1, 12);
    expect(c.regions[0]!.massB).toBeGreaterThan(c.regions[0]!.massA);
    expect(c.totalVariation).toBeGreaterThan(0.3);
    expect(c.totalVariation).toBeLessThanOrEqual(1);
    expect(compareSchedules(noisy, noisy).totalVariation).toBe(0);
  });
});

describe('variance normaliser and resolution advice', () => {
  it('1/√((b²−1)γ+1) gives unit variance for unit-variance data', () => {
    const b = 0.3;
    const g = 0.7;
    const variance = b * b * g + (1 - g);
    expect(varianceNormalizer(g, b) ** 2 * variance).toBeCloseTo(1, 15);
    expect(varianceNormalizer(g, 1)).toBe(1);
  });

  it('returns the Table 1 rows and interpolates between them', () => {
    expect(suggestInputScale(64)).toMatchObject({
      scale: 1,
      schedule: 'simple_linear',
      exact: true,
    });
    expect(suggestInputScale(128).scale).toBe(0.6);
    expect(suggestInputScale(256).scale).toBe(0.5);
    expect(suggestInputScale(512)).toMatchObject({ scale: 0.2, schedule: 'cosine@0.2,1,1' });
    expect(suggestInputScale(1024).scale).toBe(0.1);
    const mid = suggestInputScale(181); // ≈ √(128·256)
    expect(mid.exact).toBe(false);
    expect(mid.scale).toBeCloseTo(Math.sqrt(0.6 * 0.5), 2);
    expect(suggestInputScale(32).scale).toBe(1);
    expect(suggestInputScale(256, 'simpleDiffusion').scale).toBe(0.25);
    expect(suggestInputScale(256).source).toMatch(/Table 1/);
  });
});
