import { timeGrid } from '@ns/schedules';
import { alphaOf, halfLogSnr, sigmaOf } from '../internal/vp.js';
import { estimate } from '../model.js';
import type { Solver } from './solver.js';

/**
 * DPM-Solver++(2M) (Lu et al. 2022, "DPM-Solver++", Algorithm 2): the data-prediction
 * multistep solver in half-logSNR time λ = ln(α/σ), on the uniform grid. With h = λ_next − λ,
 *   x_next = (σ_next/σ)·x + α_next·(1 − e^(−h))·D,  D = x̂0 + (x̂0 − x̂0_prev)·h/(2·h_prev),
 * first order (D = x̂0, which is DDIM) on the first step, where no x̂0_prev exists, and on the
 * last, where σ_next = 0 and the step lands on x̂0 (what every solver here returns).
 */
export const dpmpp2m: Solver = async ({ model, x, steps, schedule }) => {
  const { tNow, tNext } = timeGrid(steps);
  let current = estimate(x.length);
  let previous = estimate(x.length);
  let hPrevious = 0;
  for (let i = 0; i < steps; i++) {
    await model(x, tNow[i]!, current);
    if (i === steps - 1) break;
    const gammaNow = schedule.gamma(tNow[i]!);
    const gammaNext = schedule.gamma(tNext[i]!);
    const h = halfLogSnr(gammaNext) - halfLogSnr(gammaNow);
    const a = sigmaOf(gammaNext) / sigmaOf(gammaNow);
    const b = -alphaOf(gammaNext) * Math.expm1(-h);
    // r = h_prev/h; the correction weight 1/(2r). Zero without a usable previous step (the first,
    // or after a flat stretch of a clipped schedule where h_prev = 0).
    const k = hPrevious > 0 && Number.isFinite(hPrevious) ? h / (2 * hPrevious) : 0;
    const x0 = current.x0;
    const x0Previous = previous.x0;
    for (let j = 0; j < x.length; j++) {
      x[j] = a * x[j]! + b * ((1 + k) * x0[j]! - k * x0Previous[j]!);
    }
    hPrevious = h;
    [current, previous] = [previous, current];
  }
  return current.x0;
};
