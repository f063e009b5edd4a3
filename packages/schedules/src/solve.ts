/**
 * Bracketed root finding for monotone functions on [0, 1]: the inverse maps of schedules that have
 * no closed form (custom logSNR functions, the interpolated shifted cosine).
 */

/** Absolute tolerance on t; the brief asks for inverse maps good to 1e-12. */
export const T_TOLERANCE = 1e-12;

/**
 * Finds t ∈ [0, 1] with f(t) = target for a monotone decreasing f, by bisection (robust to the
 * flat, clipped tails of γ(t), where derivative-based methods stall). When the target is outside
 * [f(1), f(0)] the nearer end is returned. 60 halvings of [0, 1] reach 2⁻⁶⁰ ≈ 8.7e-19.
 */
export function solveDecreasing(f: (t: number) => number, target: number): number {
  if (target >= f(0)) return 0;
  if (target <= f(1)) return 1;
  let lo = 0; // f(lo) > target
  let hi = 1; // f(hi) < target
  while (hi - lo > T_TOLERANCE * 1e-3) {
    const mid = 0.5 * (lo + hi);
    if (mid <= lo || mid >= hi) break;
    const value = f(mid);
    if (value === target) return mid;
    if (value > target) lo = mid;
    else hi = mid;
  }
  return 0.5 * (lo + hi);
}
