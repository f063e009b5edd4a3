import { type DdpmVariance, timeGrid } from '@ns/schedules';
import { ddpmInto } from '../internal/kernels.js';
import { estimate } from '../model.js';
import type { Solver } from './solver.js';

/**
 * Ancestral sampling (Ho et al. 2020, Algorithm 2) with the reference `transition_step`, on
 * Algorithm 3's uniform grid. Step i's noise z is drawn after the evaluation is started and before
 * it is awaited, in the same order as ever (seeded outputs unchanged): a denoiser that computes
 * off the JavaScript thread overlaps with it; onnxruntime-node's, whose run is a setImmediate
 * around a synchronous native call, simply runs after it.
 */
export function ddpm(variance: DdpmVariance): Solver {
  return async ({ model, x, steps, schedule, td, noise }) => {
    const { tNow, tNext } = timeGrid(steps, td);
    const e = estimate(x.length);
    const z = new Float64Array(x.length);
    for (let i = 0; i < steps; i++) {
      const evaluated = model(x, tNow[i]!, e);
      const last = i === steps - 1;
      if (!last) noise(z);
      await evaluated;
      if (last) break;
      ddpmInto(x, e.eps, schedule.gamma(tNow[i]!), schedule.gamma(tNext[i]!), variance, z);
    }
    return e.x0;
  };
}
