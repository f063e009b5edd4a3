import { timeGrid } from '@ns/schedules';
import { estimate } from '../model.js';
import { eulerCoefficients } from './euler.js';
import type { Solver } from './solver.js';

/**
 * How Heun spends `steps` network evaluations on the uniform grid: the first interval, out of
 * t = 1, is a plain Euler step; then ⌊(steps − 2)/2⌋ intervals with an Euler predictor and a
 * trapezoidal corrector (2 evaluations each), one more Euler interval if an evaluation is left
 * over, and the last interval lands on x̂0 (1 evaluation). Why the first is Euler: at γ(1) ≈ 1e-9
 * the model knows nothing of x0 and σ/α ≈ 1e4, so the trapezoid would weight half of a slope from
 * that x̂0 across an interval of σ̃ = σ/α some 10⁴ long (measured on the shipped mnist model: the
 * corrected step throws x_t off by O(1)); DPM-Solver++'s first step is first order for the same
 * reason. The plan lists the intervals' kinds in order.
 */
export function heunPlan(steps: number): readonly ('euler' | 'heun' | 'final')[] {
  if (steps === 1) return ['final'];
  const rest = steps - 2;
  return [
    'euler',
    ...Array<'euler'>(rest % 2).fill('euler'),
    ...Array<'heun'>(Math.floor(rest / 2)).fill('heun'),
    'final',
  ];
}

/**
 * Heun's second-order method on the probability-flow ODE dx̃/dσ̃ = ε̂ (Karras et al. 2022,
 * Algorithm 1 with S_churn = 0; k-diffusion `sample_heun`), in x = α·x̃ as {@link eulerCoefficients}.
 */
export const heun: Solver = async ({ model, x, steps, schedule }) => {
  const plan = heunPlan(steps);
  const { tNow, tNext } = timeGrid(plan.length);
  const e = estimate(x.length);
  const predicted = estimate(x.length);
  const xPredicted = new Float64Array(x.length);
  for (let i = 0; i < plan.length; i++) {
    await model(x, tNow[i]!, e);
    if (plan[i] === 'final') break;
    const [a, c] = eulerCoefficients(schedule.gamma(tNow[i]!), schedule.gamma(tNext[i]!));
    if (plan[i] === 'euler') {
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
