import type { SamplerMethod } from '../method.js';
import { ddim } from './ddim.js';
import { ddpm } from './ddpm.js';
import { dpmpp2m, dpmpp2mSde } from './dpmpp-2m.js';
import { euler } from './euler.js';
import { heun } from './heun.js';
import type { Solver } from './solver.js';

export { ddim, ddpm, dpmpp2m, dpmpp2mSde, euler, heun };
export { heunPlan } from './heun.js';
export type { Solver, SolverInput } from './solver.js';

/** The solver behind a parsed sampler name. */
export function solverFor(method: SamplerMethod): Solver {
  switch (method.kind) {
    case 'ddpm':
      return ddpm(method.variance);
    case 'ddim':
      return ddim;
    case 'dpmpp_2m':
      return dpmpp2m;
    case 'dpmpp_2m_sde':
      return dpmpp2mSde;
    case 'euler':
      return euler;
    case 'heun':
      return heun;
  }
}
