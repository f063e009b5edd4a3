/** The in-place step kernels agree bit for bit with the @ns/schedules functions they replace. */
import { Rng } from '@ns/random';
import { ddimStep, ddpmStep, guide, type Prediction, predictionToX0Eps } from '@ns/schedules';
import { ddimInto, ddpmInto, guideInto, x0EpsInto } from '../src/internal/kernels.js';

const n = 4099;
const rng = new Rng(21);
const xt = rng.normals(n, new Float64Array(n)) as Float64Array;
const prediction = Float32Array.from(rng.normals(n, new Float64Array(n)), (v) => 1.3 * v);
const other = rng.normals(n, new Float32Array(n)) as Float32Array;
const z = rng.normals(n, new Float64Array(n)) as Float64Array;

const same = (a: Float64Array | Float32Array, b: Float64Array | Float32Array) =>
  a.length === b.length && a.every((v, i) => Object.is(v, b[i]));

describe('in-place kernels = @ns/schedules, bit for bit', () => {
  const gammas = [6.2e-9, 1e-4, 0.37, 0.9999, 1 - 1e-7];
  const cases: [Prediction, number | undefined][] = [
    ['eps', 1],
    ['eps', undefined],
    ['x', 0.7],
    ['v', 1],
    ['v', undefined],
  ];
  it.each(cases)('x̂0 and ε̂ from a %s prediction (clip %s)', (predict, clip) => {
    for (const gamma of gammas) {
      const want = predictionToX0Eps({
        xt,
        prediction,
        gamma,
        predict,
        ...(clip === undefined ? {} : { clip }),
        truncateNoise: true,
      });
      const x0 = new Float64Array(n);
      const eps = new Float64Array(n);
      x0EpsInto(xt, prediction, gamma, predict, clip, x0, eps);
      expect(same(x0, want.x0)).toBe(true);
      expect(same(eps, want.eps)).toBe(true);
    }
  });

  it.each([
    [0.9, 0.95, 'large'],
    [6.2e-9, 0.01, 'large'],
    [0.3, 1, 'small'],
    [0.5, 0.6, 'small'],
  ] as const)('ddpm step γ %f → %f (%s variance)', (gammaNow, gammaNext, variance) => {
    const want = ddpmStep({ xt, eps: prediction, gammaNow, gammaNext, variance, noise: z });
    const x = Float64Array.from(xt);
    ddpmInto(x, Float64Array.from(prediction), gammaNow, gammaNext, variance, z);
    expect(same(x, want)).toBe(true);
  });

  it('ddim step and guidance', () => {
    for (const gammaNext of gammas) {
      const x = new Float64Array(n);
      ddimInto(x, xt, z, gammaNext);
      expect(same(x, ddimStep({ x0: xt, eps: z, gammaNext }))).toBe(true);
    }
    const guided = new Float32Array(n);
    guideInto(prediction, other, 1.5, guided);
    expect(same(guided, guide(prediction, other, 1.5))).toBe(true);
  });
});
