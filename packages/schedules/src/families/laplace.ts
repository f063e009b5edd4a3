import { assertFinite, assertPositive } from '../errors.js';
import { sigmoidFn } from '../math.js';
import { defineSchedule, type Schedule } from '../schedule.js';
import { formatNumber } from './common.js';

export interface LaplaceOptions {
  /** Location μ of logSNR (Hang et al. 2024 use 0). */
  readonly mu?: number;
  /** Scale b of logSNR (Hang et al. 2024 use 0.5). */
  readonly b?: number;
}

/**
 * The Laplace schedule of Hang et al. 2024 ("Improved Noise Schedule for Diffusion Training"):
 * logSNR(t) = μ − b·sgn(½ − t)·ln(1 − 2|t − ½|), so logSNR ~ Laplace(μ, b) when t ~ U(0, 1).
 * 1 − 2|t − ½| is 2t below ½ and 2(1 − t) above, written so, which keeps full accuracy near both
 * ends (the printed form loses it for t ≪ 1).
 */
export function laplace(options: LaplaceOptions = {}): Schedule {
  const mu = options.mu ?? 0;
  const b = options.b ?? 0.5;
  assertFinite('mu', mu);
  assertPositive('b', b);
  const logSnr = (t: number): number =>
    t < 0.5 ? mu - b * Math.log(2 * t) : t > 0.5 ? mu + b * Math.log(2 * (1 - t)) : mu;
  // Laplace CDF: P(λ ≤ x) = ½e^((x−μ)/b) below μ, 1 − ½e^(−(x−μ)/b) above, and t = 1 − P.
  const tFromLogSnr = (l: number): number =>
    l >= mu ? 0.5 * Math.exp(-(l - mu) / b) : 1 - 0.5 * Math.exp((l - mu) / b);
  return defineSchedule({
    family: 'laplace',
    spec: `laplace@${formatNumber(mu)},${formatNumber(b)}`,
    gamma: (t) => sigmoidFn(logSnr(t)),
    logSnr,
    tFromLogSnr,
    tFromGamma: (g) => tFromLogSnr(Math.log(g) - Math.log1p(-g)),
  });
}
