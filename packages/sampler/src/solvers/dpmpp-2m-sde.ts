import { timeGrid } from '@ns/schedules';
import { alphaOf, halfLogSnr, sigmaOf } from '../internal/vp.js';
import { estimate } from '../model.js';
import type { Solver } from './solver.js';

/**
 * SDE-DPM-Solver++(2M): the data-prediction multistep update of DPM-Solver++ (Lu et al. 2022)
 * for the reverse diffusion SDE, as diffusers (`sde-dpmsolver++`, midpoint rule) and k-diffusion
 * (`sample_dpmpp_2m_sde`, η = 1) run it: dpmpp2m's update with the noise the SDE injects. With
 * h = λ_next − λ in half-logSNR time λ = ln(α/σ),
 *   x_next = (σ_next/σ)·e^(−h)·x + α_next·(1 − e^(−2h))·D + σ_next·√(1 − e^(−2h))·z,
 *   D = x̂0 + (x̂0 − x̂0_prev)·h/(2·h_prev),
 * first order (D = x̂0: DDPM's posterior step, `ddpm@small`) on the first step; the last evaluation
 * lands on x̂0, where σ_next = 0 and no noise is added. z is drawn as `ddpm` draws it: after the
 * evaluation is started, one array per step, none for the last.
 */
export const dpmpp2mSde: Solver = async ({ model, x, steps, schedule, noise }) => {
  const { tNow, tNext } = timeGrid(steps);
  let current = estimate(x.length);
  let previous = estimate(x.length);
  const z = new Float64Array(x.length);
  let hPrevious = 0;
  for (let i = 0; i < steps; i++) {
    const evaluated = model(x, tNow[i]!, current);
    const last = i === steps - 1;
    if (!last) noise(z);
    await evaluated;
    if (last) break;
    const gammaNow = schedule.gamma(tNow[i]!);
    const gammaNext = schedule.gamma(tNext[i]!);
    const h = halfLogSnr(gammaNext) - halfLogSnr(gammaNow);
    const sigmaNext = sigmaOf(gammaNext);
    const a = (sigmaNext / sigmaOf(gammaNow)) * Math.exp(-h);
    const decay = -Math.expm1(-2 * h); // 1 − e^(−2h), accurate for small h
    const b = alphaOf(gammaNext) * decay;
    const c = sigmaNext * Math.sqrt(decay);
    // the correction weight 1/(2r), r = h_prev/h; zero without a usable previous step
    const k = hPrevious > 0 && Number.isFinite(hPrevious) ? h / (2 * hPrevious) : 0;
    const x0 = current.x0;
    const x0Previous = previous.x0;
    for (let j = 0; j < x.length; j++) {
      x[j] = a * x[j]! + b * ((1 + k) * x0[j]! - k * x0Previous[j]!) + c * z[j]!;
    }
    hPrevious = h;
    [current, previous] = [previous, current];
  }
  return current.x0;
};
