/**
 * Scalar kernels for the schedule hot loops. V8's Math.exp/Math.cos are fdlibm ports costing
 * 20–40 ns each, several times numpy's SIMD versions; these are plain arithmetic that the JIT
 * inlines, accurate to a few ulps (tested against Math.* in kernels.test.ts), far inside the 1e-12
 * the schedules are held to. (A table-free ln was tried and lost to Math.log: it needs the float's
 * bits, and reading them through a typed-array alias is slower than the call.)
 */

const LN2_HI = 0.6931471803691238; // upper bits of ln 2 (fdlibm), k·LN2_HI is exact
const LN2_LO = 1.9082149292705877e-10;
const INV_LN2 = Math.LOG2E;

/** 2^k for every k where it is a normal double, so scaling by it is exact. */
const POW2 = new Float64Array(2046);
for (let k = -1022; k <= 1023; k++) POW2[k + 1022] = 2 ** k;

/** 2^(j/64), j = 0 … 63 (each correctly rounded by the engine's `**`). */
const EXP2_FRACTION = Float64Array.from({ length: 64 }, (_, j) => 2 ** (j / 64));
const SIXTY_FOUR_OVER_LN2 = 64 * INV_LN2;
/** Adding and subtracting 1.5·2⁵² rounds a double to the nearest integer without a call. */
const ROUND_MAGIC = 6755399441055744;

/**
 * e^x to ~1 ulp: x = (64m + j)·ln2/64 + r with |r| ≤ ln2/128 (Cody–Waite in two parts), then
 * e^x = 2^m · 2^(j/64) · e^r with e^r from a degree-5 polynomial (truncation ≤ 3.4e-17), evaluated
 * in Estrin form so its dependency chain stays short.
 */
export function expKernel(x: number): number {
  if (!(x > -700 && x < 700)) return Math.exp(x); // NaN, ±∞ and the subnormal/overflow ranges
  const k = x * SIXTY_FOUR_OVER_LN2 + ROUND_MAGIC - ROUND_MAGIC;
  const r = x - k * (LN2_HI / 64) - k * (LN2_LO / 64);
  const ki = k | 0;
  const r2 = r * r;
  const p = 1 + r + r2 * (0.5 + r * (1 / 6)) + r2 * r2 * (1 / 24 + r * (1 / 120));
  return p * EXP2_FRACTION[ki & 63]! * POW2[(ki >> 6) + 1022]!;
}

const PIO2_HI = 1.5707963267948966; // π/2 split so θ − π/2 is computed to full relative accuracy
const PIO2_LO = 6.123233995736766e-17;
const PIO4 = Math.PI / 4;

/** sin r for |r| ≤ π/4 (odd Taylor polynomial to r^19, truncation ≤ 3e-21 relative). */
function sinSmall(r: number): number {
  const z = r * r;
  return (
    r *
    (1 +
      z *
        (-1 / 6 +
          z *
            (1 / 120 +
              z *
                (-1 / 5040 +
                  z *
                    (1 / 362880 +
                      z *
                        (-1 / 39916800 +
                          z *
                            (1 / 6227020800 +
                              z * (-1 / 1307674368000 + z * (1 / 355687428096000)))))))))
  );
}

/** cos r for |r| ≤ π/4 (even Taylor polynomial to r^20). */
function cosSmall(r: number): number {
  const z = r * r;
  return (
    1 +
    z *
      (-1 / 2 +
        z *
          (1 / 24 +
            z *
              (-1 / 720 +
                z *
                  (1 / 40320 +
                    z *
                      (-1 / 3628800 +
                        z *
                          (1 / 479001600 +
                            z *
                              (-1 / 87178291200 +
                                z * (1 / 20922789888000 + z * (-1 / 6402373705728000)))))))))
  );
}

/**
 * cos θ for θ ∈ [0, π/2], with full relative accuracy near π/2 (where γ ≈ 0): there it is
 * computed as sin(π/2 − θ) with π/2 in two parts. Outside [0, π/2] it defers to Math.cos.
 */
export function cosQuarterTurn(theta: number): number {
  if (!(theta >= 0 && theta <= PIO2_HI)) return Math.cos(theta);
  if (theta <= PIO4) return cosSmall(theta);
  return sinSmall(PIO2_HI - theta + PIO2_LO);
}

/** x^n for a small non-negative integer n by binary powering (≤ 2·log₂n roundings). */
export function powInt(x: number, n: number): number {
  let result = 1;
  let base = x;
  let e = n;
  while (e > 0) {
    if (e & 1) result *= base;
    base *= base;
    e >>= 1;
  }
  return result;
}

/** Exponents powInt handles; others go to Math.pow. */
export const isSmallInteger = (p: number): boolean => Number.isInteger(p) && p >= 0 && p <= 64;
