import { timeGrid } from '@ns/schedules';
import { ddimInto } from '../internal/kernels.js';
import { estimate } from '../model.js';
import type { Solver } from './solver.js';

/** DDIM with η = 0 (Song et al. 2021, eq. 12) on Algorithm 3's uniform grid. */
export const ddim: Solver = async ({ model, x, steps, schedule, td }) => {
  const { tNow, tNext } = timeGrid(steps, td);
  const e = estimate(x.length);
  for (let i = 0; i < steps; i++) {
    await model(x, tNow[i]!, e);
    if (i === steps - 1) break;
    ddimInto(x, e.x0, e.eps, schedule.gamma(tNext[i]!));
  }
  return e.x0;
};
