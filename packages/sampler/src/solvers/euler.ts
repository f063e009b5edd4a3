import { timeGrid } from '@ns/schedules';
import { alphaOf, sigmaOf } from '../internal/vp.js';
import { estimate } from '../model.js';
import type { Solver } from './solver.js';

/**
 * The Euler step of the probability-flow ODE dx̃/dσ̃ = ε̂ in x̃ = x/α, σ̃ = σ/α (Karras et al.
 * 2022, eq. 3 with s = 1), written back in x = α·x̃: x_next = (α_n/α)·x + (σ_n − α_n·σ/α)·ε̂.
 * Returns [a, c] of x_next = a·x + c·ε̂.
 */
export function eulerCoefficients(gammaNow: number, gammaNext: number): [number, number] {
  const ratio = alphaOf(gammaNext) / alphaOf(gammaNow);
  return [ratio, sigmaOf(gammaNext) - ratio * sigmaOf(gammaNow)];
}

/**
 * Euler on the probability-flow ODE (k-diffusion `sample_euler`, deterministic) on the uniform
 * grid. With ε̂ re-derived from x̂0, x = α·x̂0 + σ·ε̂ holds exactly, so this is DDIM (η = 0)
 * written as an ODE step; the two agree to round-off.
 */
export const euler: Solver = async ({ model, x, steps, schedule }) => {
  const { tNow, tNext } = timeGrid(steps);
  const e = estimate(x.length);
  for (let i = 0; i < steps; i++) {
    await model(x, tNow[i]!, e);
    if (i === steps - 1) break;
    const [a, c] = eulerCoefficients(schedule.gamma(tNow[i]!), schedule.gamma(tNext[i]!));
    for (let j = 0; j < x.length; j++) x[j] = a * x[j]! + c * e.eps[j]!;
  }
  return e.x0;
};
