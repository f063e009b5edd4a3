import { timeGrid } from '@ns/schedules';
import { estimate } from '../model.js';
import { eulerCoefficients } from './euler.js';
import type { Solver } from './solver.js';

/**
 * How Heun spends `steps` network evaluations: K intervals of the uniform grid, each but the last
 * an Euler predictor plus a trapezoidal corrector (2 evaluations), the last one the step to x̂0
 * (1 evaluation). Odd `steps` = 2K − 1 exactly; for even `steps` the first interval, from pure
 * noise where the trajectory is straightest, takes a plain Euler step, so every evaluation is used.
 */
export function heunPlan(steps: number): { intervals: number; eulerFirst: boolean } {
  return steps % 2 === 1
    ? { intervals: (steps + 1) / 2, eulerFirst: false }
    : { intervals: steps / 2 + 1, eulerFirst: true };
}

/**
 * Heun's second-order method on the probability-flow ODE dx̃/dσ̃ = ε̂ (Karras et al. 2022,
 * Algorithm 1 with S_churn = 0; k-diffusion `sample_heun`), in x = α·x̃ as {@link eulerCoefficients}.
 */
export const heun: Solver = async ({ model, x, steps, schedule }) => {
  const { intervals, eulerFirst } = heunPlan(steps);
  const { tNow, tNext } = timeGrid(intervals);
  const e = estimate(x.length);
  const predicted = estimate(x.length);
  const xPredicted = new Float64Array(x.length);
  for (let i = 0; i < intervals; i++) {
    await model(x, tNow[i]!, e);
    if (i === intervals - 1) break;
    const [a, c] = eulerCoefficients(schedule.gamma(tNow[i]!), schedule.gamma(tNext[i]!));
    if (i === 0 && eulerFirst) {
      for (let j = 0; j < x.length; j++) x[j] = a * x[j]! + c * e.eps[j]!;
      continue;
    }
    for (let j = 0; j < x.length; j++) xPredicted[j] = a * x[j]! + c * e.eps[j]!;
    await model(xPredicted, tNext[i]!, predicted);
    const half = 0.5 * c;
    for (let j = 0; j < x.length; j++) x[j] = a * x[j]! + half * (e.eps[j]! + predicted.eps[j]!);
  }
  return e.x0;
};
