import { reduceToBandWork } from '../src/linalg/band-reduction.js';
import { bandToTridiagonal } from '../src/linalg/band-tridiagonal.js';
import { createChasePool } from '../src/linalg/chase-pool.js';
import { jsProduct, runDense, runDenseAsync } from '../src/linalg/dense-work.js';
import { symmetricEigenvaluesWork } from '../src/linalg/symmetric-eigenvalues.js';
import type { MatrixProducts } from '../src/products.js';
import { randomSymmetric } from './random.js';

function firstDifference(a: Float64Array, b: Float64Array): number {
  for (let i = 0; i < a.length; i++) if (!Object.is(a[i], b[i])) return i;
  return -1;
}

// Several sweeps in flight on real worker threads must give the sequential chase's band bit for
// bit: each sweep waits until the one before it is two blocks ahead (chaseSweep).
describe('the bulge chase on worker threads', () => {
  test.each([
    [2, 300, 16],
    [3, 301, 8],
    [2, 257, 32],
  ])('%i threads, n = %i, bandwidth %i: bit-identical to the sequential chase', async (threads, n, b) => {
    const band = runDense(reduceToBandWork(randomSymmetric(n, n), n, b));
    const sequential = { ...band, data: Float64Array.from(band.data) };
    bandToTridiagonal(sequential);
    const pool = createChasePool(threads);
    try {
      for (let run = 0; run < 2; run++) {
        const parallel = { ...band, data: Float64Array.from(band.data) };
        await pool.chase(parallel);
        expect(firstDifference(parallel.data, sequential.data)).toBe(-1);
      }
    } finally {
      await pool.release();
    }
    expect(firstDifference(band.data, sequential.data)).not.toBe(-1); // the chase did change it
  });

  test('runDenseAsync hands the chase to the engine; the eigenvalues equal runDense’s', async () => {
    const n = 300;
    const A = randomSymmetric(n, 4);
    const pool = createChasePool(2);
    let chases = 0;
    const engine: MatrixProducts = {
      product: async (p) => jsProduct(p),
      chase: async (band) => {
        chases++;
        await pool.chase(band);
      },
    };
    try {
      const got = await runDenseAsync(symmetricEigenvaluesWork(A, n, { bandwidth: 16 }), engine);
      const want = runDense(symmetricEigenvaluesWork(A, n, { bandwidth: 16 }));
      expect(chases).toBe(1);
      expect(firstDifference(got, want)).toBe(-1);
    } finally {
      await pool.release();
    }
  });

  test('chases started together run one after the other; a released pool starts again', async () => {
    const bands = [260, 300].map((n) =>
      runDense(reduceToBandWork(randomSymmetric(n, n + 1), n, 8)),
    );
    const want = bands.map((band) => {
      const copy = { ...band, data: Float64Array.from(band.data) };
      bandToTridiagonal(copy);
      return copy.data;
    });
    const pool = createChasePool(2);
    try {
      const got = bands.map((band) => ({ ...band, data: Float64Array.from(band.data) }));
      await Promise.all(got.map((band) => pool.chase(band)));
      for (const [i, band] of got.entries()) expect(firstDifference(band.data, want[i]!)).toBe(-1);
      await pool.release();
      const again = { ...bands[0]!, data: Float64Array.from(bands[0]!.data) };
      await pool.chase(again);
      expect(firstDifference(again.data, want[0]!)).toBe(-1);
    } finally {
      await pool.release();
    }
  });

  test('fewer than 2 threads is refused', () => {
    expect(() => createChasePool(1)).toThrow('at least 2 threads, got 1');
  });
});
