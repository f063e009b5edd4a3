import {
  COVARIANCE_TOLERANCE,
  featureStatistics,
  frechetDistance,
  type GaussianStatistics,
  gaussianStatistics,
} from '../src/index.js';
import { normals, rotatedDiagonal } from './random.js';

// #11 point 9: a sigma is validated as a covariance before the distance is computed.

const d = 40;
const eye = (scale = 1) => {
  const S = new Float64Array(d * d);
  for (let i = 0; i < d; i++) S[i * d + i] = scale;
  return S;
};
const stats = (sigma: Float64Array, count?: number): GaussianStatistics =>
  gaussianStatistics(new Float64Array(d), sigma, count);
/** A positive definite covariance with a spread-out spectrum. */
const spd = (seed: number) =>
  rotatedDiagonal(
    new Float64Array(d).map((_, i) => 0.5 + i / 10),
    seed,
  );
/** spd with one eigenvalue made negative. */
const indefinite = (seed: number, negative: number) => {
  const lambda = new Float64Array(d).map((_, i) => 0.5 + i / 10);
  lambda[7] = negative;
  return rotatedDiagonal(lambda, seed);
};
/** Rank-`rank` covariance with the null space spanning the last d − rank rotated directions. */
const singular = (seed: number, rank: number) =>
  rotatedDiagonal(
    new Float64Array(d).map((_, i) => (i < rank ? 1 + i / 10 : 0)),
    seed,
  );

describe('sigmas that are not covariances are refused, naming the input', () => {
  test.each([
    ['sigma1 = −I (today: FID 0.34, exit 0)', eye(-1), eye(), 'sigma1'],
    ['sigma2 = −I', eye(), eye(-1), 'sigma2'],
    ['sigma1 with one eigenvalue −0.3', indefinite(3, -0.3), spd(4), 'sigma1'],
    ['sigma2 with one eigenvalue −0.3', spd(4), indefinite(3, -0.3), 'sigma2'],
    // Σ2 singular: Σ1 is checked on its own, so a negative direction hidden in Σ2's null space
    // (where Lᵀ Σ1 L cannot see it) is still found
    ['sigma1 indefinite against a singular sigma2', indefinite(5, -0.3), singular(6, 10), 'sigma1'],
  ])('%s', (_name, s1, s2, culprit) => {
    const run = () => frechetDistance(stats(s1), stats(s2));
    expect(run).toThrow(
      new RegExp(
        `^${culprit}: expected a positive semi-definite covariance, got one with negative eigenvalues`,
      ),
    );
  });

  test('a sigma that is not symmetric is refused with the two entries', () => {
    const s = spd(1);
    s[3 * d + 5] = s[3 * d + 5]! + 0.01;
    expect(() => frechetDistance(stats(spd(2)), stats(s))).toThrow(
      /^sigma2: expected a symmetric covariance \(\|Σᵢⱼ − Σⱼᵢ\| ≤ 1e-6·max\|Σₖₖ\| = [0-9.e-]+\), got Σ\[5,3\] = [-0-9.e]+ but Σ\[3,5\] = [-0-9.e]+$/,
    );
  });

  test('the error is one line and uses the names given', () => {
    let message = '';
    try {
      frechetDistance(stats(eye()), stats(eye(-1)), { names: ['ref.npz', 'samples.npz'] });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe(
      `samples.npz: expected a positive semi-definite covariance, got one with negative eigenvalues (its pivoted Cholesky stops at rank 0 of ${d} and leaves 1.00 > 1e-6·max|Σₖₖ| = 1.00e-6)`,
    );
  });
});

describe('round-off is not a defect', () => {
  test('asymmetry and negative eigenvalues within the tolerance are accepted', () => {
    const s = spd(8);
    const scale = Math.max(...Array.from({ length: d }, (_, i) => s[i * d + i]!));
    s[2 * d + 9] = s[2 * d + 9]! + 0.5 * COVARIANCE_TOLERANCE * scale;
    const lambda = new Float64Array(d).map((_, i) => (i < 30 ? 1 + i / 10 : 0));
    lambda[35] = -0.1 * COVARIANCE_TOLERANCE; // a rounding-sized negative eigenvalue
    const r = frechetDistance(stats(s), stats(rotatedDiagonal(lambda, 9)));
    expect(Number.isFinite(r.distance)).toBe(true);
  });

  test('a singular covariance rounded to float32 is accepted on either side', () => {
    const rounded = Float64Array.from(new Float32Array(singular(10, 12)));
    // float32 rounding of the lower and upper triangle is identical, so it stays symmetric
    expect(() => frechetDistance(stats(rounded), stats(spd(11)))).not.toThrow();
    expect(() => frechetDistance(stats(spd(11)), stats(rounded))).not.toThrow();
  });
});

describe('fewer samples than dimensions: a warning with the rank', () => {
  const features = (seed: number, rows: number) => normals(seed, rows * d);

  test('N < D on one side warns about that side, with N and the numerical rank', () => {
    const a = featureStatistics(features(1, 25), d); // rank 24
    const b = featureStatistics(features(2, 200), d);
    const ab = frechetDistance(a, b);
    expect(ab.warnings).toEqual([
      `sigma1: 25 samples for ${d} dimensions: the covariance is singular (numerical rank 24 of ${d}), so the distance is between degenerate Gaussians and depends strongly on N; use more samples than dimensions`,
    ]);
    const ba = frechetDistance(b, a, { names: ['ref', 'samples'] });
    expect(ba.warnings).toHaveLength(1);
    expect(ba.warnings[0]).toMatch(
      /^samples: 25 samples for 40 dimensions: .*numerical rank 24 of 40/,
    );
    expect(ba.rank).toBe(24);
  });

  test('N < D at 300-d (the two-stage eigensolver): the same distance in either order', () => {
    const D = 300;
    const a = featureStatistics(normals(5, 100 * D), D); // rank 99
    const b = featureStatistics(normals(6, 1000 * D), D);
    const ab = frechetDistance(a, b);
    const ba = frechetDistance(b, a);
    expect(ab.warnings[0]).toMatch(/^sigma1: 100 samples for 300 dimensions: .*rank 99 of 300/);
    expect(ba.rank).toBe(99);
    // tr √(Σ1 Σ2) = tr √(Σ2 Σ1); the two orders factorise different matrices
    expect(Math.abs(ab.distance - ba.distance)).toBeLessThan(1e-6 * ba.distance);
  });

  test('enough samples: no warning', () => {
    const a = featureStatistics(features(3, 300), d);
    const b = featureStatistics(features(4, 200), d);
    expect(frechetDistance(a, b).warnings).toEqual([]);
  });

  test('statistics without a count (a stats file) warn when the covariance is singular', () => {
    const r = frechetDistance(stats(singular(12, 15)), stats(spd(13)));
    expect(r.warnings).toHaveLength(1);
    expect(r.warnings[0]).toMatch(
      /^sigma1: the covariance is singular \(numerical rank 15 of 40\)/,
    );
  });
});
