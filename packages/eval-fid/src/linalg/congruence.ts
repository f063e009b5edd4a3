import type { DenseWork } from './dense-work.js';

/** Rows per block: big enough for efficient Products, small enough to skip most zeros of L. */
const BLOCK = 256;

/**
 * M = Lᵀ S L (r × r, both triangles) for symmetric S (d × d) and the lower-trapezoidal Cholesky
 * factor L (d × r), given as Lt = Lᵀ (r × d, row c zero before column c).
 *
 * Done by blocks of Lt's rows so the zeros are skipped: Tt = Lt S row block by row block
 * (Tt[I, :] = Lt[I, I₀:] S[I₀:, :]), then M = Tt Ltᵀ for the blocks I ≤ J only
 * (M[I, J] = Tt[I, J₀:] Lt[J, J₀:]ᵀ), mirrored. About 4/3·d³ flops instead of the 4·d³ of two
 * dense products, with identical arithmetic per entry up to the order of summation.
 */
export function* congruenceWork(
  Lt: Float64Array,
  S: Float64Array,
  d: number,
  r: number,
): DenseWork<Float64Array> {
  const starts = blockStarts(r);
  const blocks = starts.length - 1;
  // Lt[J, J₀:] for every block J: the non-zero part of its rows, contiguous
  const LtBlocks: Float64Array[] = [];
  for (let bj = 0; bj < blocks; bj++) {
    LtBlocks.push(columnsFrom(Lt, d, starts[bj]!, starts[bj + 1]!, starts[bj]!));
  }
  const Tt = new Float64Array(r * d);
  for (let bi = 0; bi < blocks; bi++) {
    const i0 = starts[bi]!;
    const i1 = starts[bi + 1]!;
    yield {
      a: LtBlocks[bi]!,
      b: S.subarray(i0 * d),
      m: i1 - i0,
      n: d,
      k: d - i0,
      transposeB: false,
      into: Tt.subarray(i0 * d, i1 * d),
    };
  }
  const M = new Float64Array(r * r);
  for (let bi = 0; bi < blocks; bi++) {
    const i0 = starts[bi]!;
    const i1 = starts[bi + 1]!;
    for (let bj = bi; bj < blocks; bj++) {
      const j0 = starts[bj]!;
      const j1 = starts[bj + 1]!;
      const rows = i1 - i0;
      const cols = j1 - j0;
      const c = yield {
        a: columnsFrom(Tt, d, i0, i1, j0),
        b: LtBlocks[bj]!,
        m: rows,
        n: cols,
        k: d - j0,
        transposeB: true,
      };
      for (let i = 0; i < rows; i++) {
        M.set(c.subarray(i * cols, (i + 1) * cols), (i0 + i) * r + j0);
        if (bj > bi) {
          for (let j = 0; j < cols; j++) M[(j0 + j) * r + i0 + i] = c[i * cols + j]!;
        }
      }
    }
  }
  return M;
}

function blockStarts(r: number): number[] {
  const blocks = Math.max(1, Math.round(r / BLOCK));
  return Array.from({ length: blocks + 1 }, (_, i) => Math.round((i * r) / blocks));
}

/** Rows i0..i1 of row-major X (d columns), columns c0.., as a contiguous array. */
function columnsFrom(X: Float64Array, d: number, i0: number, i1: number, c0: number): Float64Array {
  const w = d - c0;
  const out = new Float64Array((i1 - i0) * w);
  for (let i = i0; i < i1; i++) out.set(X.subarray(i * d + c0, (i + 1) * d), (i - i0) * w);
  return out;
}
