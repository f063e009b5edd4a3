/**
 * The one contract of every sampler here (k-diffusion's `sample_*(model, x, sigmas)`): a solver
 * gets the model, the initial noise and a budget of network evaluations, and returns x̂0 of its
 * last evaluation. That return is the final step to t = 0 of every solver at once: DDIM, DDPM's
 * mean, Euler and DPM-Solver++ all land on x̂0 where σ = 0, and it is what Algorithm 3 returns.
 */
import type { Schedule } from '@ns/schedules';
import type { Model } from '../model.js';

export interface SolverInput {
  /** x̂0 and ε̂ at (x, t) (see {@link Model}). */
  readonly model: Model;
  /** x_T ~ N(0, I) on entry; the solver's state, overwritten in place. */
  readonly x: Float64Array;
  /** Network evaluations to spend (per guidance branch), ≥ 1. */
  readonly steps: number;
  /** The inference schedule: the solver evaluates and steps at γ(t) of its own time grid. */
  readonly schedule: Schedule;
  /** The reference code's time offset (ddpm and ddim; the ODE solvers are given 0). */
  readonly td: number;
  /** Fills its argument with standard normals (the ancestral samplers' z). */
  readonly noise: (into: Float64Array) => void;
}

export type Solver = (input: SolverInput) => Promise<Float64Array>;
