/**
 * A small seeded generator (mulberry32) so metrics that subsample (KID) are reproducible
 * across runs and machines. Not the same stream as numpy's: reference tools agree on KID only
 * in distribution, or exactly when the same subsets are passed in.
 */
export function seededUniform(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** `count` distinct indices from [0, n), uniformly (partial Fisher–Yates). */
export function sampleWithoutReplacement(
  n: number,
  count: number,
  uniform: () => number,
): Int32Array {
  const pool = Int32Array.from({ length: n }, (_, i) => i);
  for (let i = 0; i < count; i++) {
    const j = i + Math.floor(uniform() * (n - i));
    const t = pool[i]!;
    pool[i] = pool[j]!;
    pool[j] = t;
  }
  return pool.slice(0, count);
}
