import { timeGrid } from '@ns/schedules';
import { alphaOf, halfLogSnr, sigmaOf } from '../internal/vp.js';
import { estimate } from '../model.js';
import type { Solver, SolverInput } from './solver.js';

/**
 * DPM-Solver++(2M) (Lu et al. 2022, "DPM-Solver++", Algorithm 2): the data-prediction
 * multistep solver in half-logSNR time λ = ln(α/σ), on the uniform grid. With h = λ_next − λ,
 *   x_next = (σ_next/σ)·x + α_next·(1 − e^(−h))·D,  D = x̂0 + (x̂0 − x̂0_prev)·h/(2·h_prev),
 * first order (D = x̂0, which is DDIM) on the first step, where no x̂0_prev exists, and on the
 * last, where σ_next = 0 and the step lands on x̂0 (what every solver here returns).
 */
export const dpmpp2m: Solver = (input) => dataPredictionMultistep(input, false);

/**
 * SDE-DPM-Solver++(2M): the data-prediction multistep update of DPM-Solver++ (Lu et al. 2022)
 * for the reverse diffusion SDE, as diffusers (`sde-dpmsolver++`, midpoint rule) and k-diffusion
 * (`sample_dpmpp_2m_sde`, η = 1) run it: dpmpp2m's update with the noise the SDE injects,
 *   x_next = (σ_next/σ)·e^(−h)·x + α_next·(1 − e^(−2h))·D + σ_next·√(1 − e^(−2h))·z,
 * with the same D and the same first and last steps (the first is DDPM's posterior step,
 * `ddpm@small`; the last adds no noise, σ_next = 0). z is drawn as `ddpm` draws it: after the
 * evaluation is started, one array per step, none for the last.
 */
export const dpmpp2mSde: Solver = (input) => dataPredictionMultistep(input, true);

/** The loop both share: the 2M extrapolation D and the step, with the SDE's noise or without. */
async function dataPredictionMultistep(
  { model, x, steps, schedule, noise }: SolverInput,
  stochastic: boolean,
): Promise<Float64Array> {
  const { tNow, tNext } = timeGrid(steps);
  let current = estimate(x.length);
  let previous = estimate(x.length);
  const z = stochastic ? new Float64Array(x.length) : undefined;
  let hPrevious = 0;
  for (let i = 0; i < steps; i++) {
    const evaluated = model(x, tNow[i]!, current);
    const last = i === steps - 1;
    if (z !== undefined && !last) noise(z);
    await evaluated;
    if (last) break;
    const gammaNow = schedule.gamma(tNow[i]!);
    const gammaNext = schedule.gamma(tNext[i]!);
    const h = halfLogSnr(gammaNext) - halfLogSnr(gammaNow);
    // r = h_prev/h; the correction weight 1/(2r). Zero without a usable previous step (the first,
    // or after a flat stretch of a clipped schedule where h_prev = 0).
    const k = hPrevious > 0 && Number.isFinite(hPrevious) ? h / (2 * hPrevious) : 0;
    const x0 = current.x0;
    const x0Previous = previous.x0;
    const ratio = sigmaOf(gammaNext) / sigmaOf(gammaNow);
    if (z === undefined) {
      const a = ratio;
      const b = -alphaOf(gammaNext) * Math.expm1(-h);
      for (let j = 0; j < x.length; j++) {
        x[j] = a * x[j]! + b * ((1 + k) * x0[j]! - k * x0Previous[j]!);
      }
    } else {
      const a = ratio * Math.exp(-h);
      const decay = -Math.expm1(-2 * h); // 1 − e^(−2h), accurate for small h
      const b = alphaOf(gammaNext) * decay;
      const c = sigmaOf(gammaNext) * Math.sqrt(decay);
      for (let j = 0; j < x.length; j++) {
        x[j] = a * x[j]! + b * ((1 + k) * x0[j]! - k * x0Previous[j]!) + c * z[j]!;
      }
    }
    hPrevious = h;
    [current, previous] = [previous, current];
  }
  return current.x0;
}
