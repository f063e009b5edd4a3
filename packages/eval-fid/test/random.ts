/** Small seeded generators for tests: uniforms from @ns/random, plus Box–Muller normals. */
import { Rng } from '@ns/random';

/** A function returning uniforms in [0, 1) from the @ns/random stream of `seed`. */
export function rng(seed: number): () => number {
  const r = new Rng(seed);
  return () => r.uniform();
}

export function normals(seed: number, count: number): Float64Array {
  const u = rng(seed);
  const out = new Float64Array(count);
  for (let i = 0; i < count; i++) {
    out[i] = Math.sqrt(-2 * Math.log(1 - u())) * Math.cos(2 * Math.PI * u());
  }
  return out;
}

/** Q diag(values) Qᵀ with Q a product of `reflections` random Householder reflections. */
export function rotatedDiagonal(values: Float64Array, seed: number, reflections = 3): Float64Array {
  const d = values.length;
  const S = new Float64Array(d * d);
  for (let i = 0; i < d; i++) S[i * d + i] = values[i]!;
  for (let h = 0; h < reflections; h++) {
    const v = normals(seed * 100 + h, d);
    const norm = Math.hypot(...v);
    for (let i = 0; i < d; i++) v[i] = v[i]! / norm;
    // S ← H S H with H = I − 2vvᵀ:  S − 2 v (vᵀS) − 2 (S v) vᵀ + 4 (vᵀ S v) v vᵀ
    const sv = new Float64Array(d);
    for (let i = 0; i < d; i++) {
      let s = 0;
      for (let j = 0; j < d; j++) s += S[i * d + j]! * v[j]!;
      sv[i] = s;
    }
    let vsv = 0;
    for (let i = 0; i < d; i++) vsv += v[i]! * sv[i]!;
    for (let i = 0; i < d; i++) {
      for (let j = 0; j < d; j++) {
        S[i * d + j] =
          S[i * d + j]! - 2 * v[i]! * sv[j]! - 2 * sv[i]! * v[j]! + 4 * vsv * v[i]! * v[j]!;
      }
    }
  }
  return S;
}

/** A random symmetric matrix (full storage) with entries ~ N(0, 1). */
export function randomSymmetric(d: number, seed: number): Float64Array {
  const x = normals(seed, d * d);
  const A = new Float64Array(d * d);
  for (let i = 0; i < d; i++) {
    for (let j = 0; j < d; j++) A[i * d + j] = x[Math.max(i, j) * d + Math.min(i, j)]!;
  }
  return A;
}
