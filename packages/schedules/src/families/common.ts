/** Algorithm 1's `clip_min`: keeps γ(1) > 0 so logSNR(1) = ln(1e-9) ≈ −20.7 stays finite. */
export const DEFAULT_CLIP_MIN = 1e-9;

/** Shortest string that parses back to the same float64 (used in spec strings). */
export const formatNumber = (x: number): string => String(x);

/** `+clip=…` suffix of a spec string, empty for the default. */
export const clipSuffix = (clipMin: number): string =>
  clipMin === DEFAULT_CLIP_MIN ? '' : `+clip=${formatNumber(clipMin)}`;
