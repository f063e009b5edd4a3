import { fail } from './errors.js';

/** N feature vectors of length `dim`, row-major (e.g. Inception pool3 activations). */
export interface FeatureMatrix {
  readonly rows: number;
  readonly dim: number;
  readonly data: ArrayLike<number>;
}

/** Wraps row-major `data` as rows × dim after checking the length divides. */
export function featureMatrix(
  data: ArrayLike<number>,
  dim: number,
  name = 'features',
): FeatureMatrix {
  if (!Number.isSafeInteger(dim) || dim < 1) fail(`${name}.dim`, 'a positive integer', dim);
  if (data.length % dim !== 0) {
    fail(name, `a multiple of dim = ${dim} values (rows × ${dim})`, data.length);
  }
  return { rows: data.length / dim, dim, data };
}

/** The rows at `indices` copied into a float64 matrix. */
export function gatherRows(m: FeatureMatrix, indices: ArrayLike<number>): Float64Array {
  const out = new Float64Array(indices.length * m.dim);
  for (let r = 0; r < indices.length; r++) {
    const i = indices[r]!;
    if (!Number.isInteger(i) || i < 0 || i >= m.rows)
      fail('indices', `integers in [0, ${m.rows})`, i);
    const src = i * m.dim;
    const dst = r * m.dim;
    for (let j = 0; j < m.dim; j++) out[dst + j] = m.data[src + j]!;
  }
  return out;
}

export function toFloat64Rows(m: FeatureMatrix): Float64Array {
  return m.data instanceof Float64Array ? m.data : Float64Array.from(m.data);
}
