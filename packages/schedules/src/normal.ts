/**
 * The standard normal CDF Φ and its inverse Φ⁻¹ (scipy's `ndtr` and `ndtri`), to ~1 ulp relative
 * over the whole double range, from two textbook expansions and no coefficient tables:
 * - |z| < 1: Φ(z) − ½ = φ(z)·Σ z^(2n+1)/(2n+1)!! (all terms of one sign: no cancellation);
 * - |z| ≥ 1: Φ(−x) = φ(x)·R(x), the Mills ratio R(x) = 1/(x + 1/(x + 2/(x + 3/(x + …)))) (Laplace's
 *   continued fraction, evaluated bottom-up, which is stable).
 * Φ⁻¹ is Newton's method on those: on ln Φ(z) = ln p in the tail (ln Φ is concave, so from
 * z₀ = −√(−2 ln p), left of the root by Chernoff's bound, the iterates rise monotonically to it) and
 * on Φ(z) − ½ = p − ½ in the centre (exact for p ≥ ¼, which keeps full relative accuracy near 0).
 */
import { assertInClosedRange, assertNotNaN } from './errors.js';

const LN_SQRT_2PI = 0.5 * Math.log(2 * Math.PI);
const INV_SQRT_2PI = 1 / Math.sqrt(2 * Math.PI);
const SQRT_2PI = Math.sqrt(2 * Math.PI);
const EPSILON = 2 ** -53;

/** e^(−z²/2) with z² split exactly (z = h + l, h on a 1/16 grid so h² is exact), as Cody does. */
function gaussianKernel(z: number): number {
  if (!Number.isFinite(z)) return 0;
  const h = Math.trunc(z * 16) / 16;
  const l = z - h;
  return Math.exp(-0.5 * h * h) * Math.exp(-0.5 * l * (2 * h + l));
}

/** Σ z^(2n+1)/(2n+1)!! for |z| < 1, so that Φ(z) − ½ = φ(z)·series(z). */
function oddSeries(z: number): number {
  const z2 = z * z;
  let term = z;
  let sum = z;
  for (let n = 1; n < 60; n++) {
    term *= z2 / (2 * n + 1);
    sum += term;
    if (Math.abs(term) <= EPSILON * Math.abs(sum)) break;
  }
  return sum;
}

/** Mills ratio R(x) = Φ(−x)/φ(x) for x ≥ 1; depth 20 + 800/x² reaches 1 ulp (checked against mpmath). */
function millsRatio(x: number): number {
  const depth = 20 + Math.ceil(800 / (x * x));
  let f = x;
  for (let k = depth; k >= 1; k--) f = x + k / f;
  return 1 / f;
}

/** Φ(z) for z ≤ 0, relative accuracy. */
function lowerTail(z: number): number {
  if (z > -1) return 0.5 + INV_SQRT_2PI * gaussianKernel(z) * oddSeries(z);
  if (z === Number.NEGATIVE_INFINITY) return 0;
  return INV_SQRT_2PI * gaussianKernel(z) * millsRatio(-z);
}

/** The standard normal density φ(z) = e^(−z²/2)/√(2π). */
export function normalPdf(z: number): number {
  assertNotNaN('z', z);
  return INV_SQRT_2PI * gaussianKernel(z);
}

/**
 * The standard normal CDF Φ(z) (scipy.special.ndtr), relative accuracy ~1 ulp for z ≤ 0; for z > 0
 * it is 1 − Φ(−z), so the upper tail rounds to the doubles near 1. Φ(±∞) = 1 or 0.
 */
export function normalCdf(z: number): number {
  assertNotNaN('z', z);
  return z <= 0 ? lowerTail(z) : 1 - lowerTail(-z);
}

/** ln Φ(z) and d ln Φ / dz = φ(z)/Φ(z) for z ≤ 0, without forming φ in the tail. */
function logLowerTail(z: number): { value: number; slope: number } {
  if (z > -1) {
    const phi = INV_SQRT_2PI * gaussianKernel(z);
    const cdf = 0.5 + phi * oddSeries(z);
    return { value: Math.log(cdf), slope: phi / cdf };
  }
  const r = millsRatio(-z);
  return { value: -0.5 * z * z - LN_SQRT_2PI + Math.log(r), slope: 1 / r };
}

/** Φ⁻¹(p) for 0 < p < ½. */
function lowerQuantile(p: number): number {
  if (p >= 0.25) {
    // Centre: solve φ(z)·series(z) = p − ½ (exact here); Φ − ½ is convex for z < 0, so Newton from
    // z₀ = (p − ½)·√(2π), right of the root, falls to it monotonically.
    const q = p - 0.5;
    let z = q * SQRT_2PI;
    for (let i = 0; i < 50; i++) {
      const phi = INV_SQRT_2PI * gaussianKernel(z);
      const step = (phi * oddSeries(z) - q) / phi;
      z -= step;
      if (!(Math.abs(step) > EPSILON * Math.abs(z))) break;
    }
    return z;
  }
  const logP = Math.log(p);
  let z = -Math.sqrt(-2 * logP);
  for (let i = 0; i < 100; i++) {
    const { value, slope } = logLowerTail(z);
    const step = (value - logP) / slope;
    z -= step;
    if (!(Math.abs(step) > EPSILON * Math.abs(z))) break;
  }
  return z;
}

/**
 * The standard normal quantile Φ⁻¹(p) (scipy.special.ndtri): Φ⁻¹(0) = −∞, Φ⁻¹(1) = +∞, relative
 * accuracy ~1e-16 down to the smallest subnormal p. Above ½ it is −Φ⁻¹(1 − p), with 1 − p exact.
 */
export function normalQuantile(p: number): number {
  assertInClosedRange('p', p, 0, 1);
  if (p === 0) return Number.NEGATIVE_INFINITY;
  if (p === 1) return Number.POSITIVE_INFINITY;
  if (p === 0.5) return 0;
  return p < 0.5 ? lowerQuantile(p) : -lowerQuantile(1 - p);
}
