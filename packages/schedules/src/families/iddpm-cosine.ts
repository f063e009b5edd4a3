import { assertInClosedRange, badTime } from '../errors.js';
import { cosQuarterTurn } from '../kernels.js';
import { defineSchedule, type Schedule } from '../schedule.js';
import { formatNumber } from './common.js';

export interface IddpmCosineOptions {
  /** Offset s (Nichol & Dhariwal 2021 use 0.008). */
  readonly s?: number;
}

/**
 * The improved-DDPM cosine: ᾱ(t) = f(t)/f(0), f(t) = cos²(((t + s)/(1 + s))·π/2), s = 0.008.
 * This is the ᾱ behind diffusers' `squaredcos_cap_v2` (which then caps the discrete β at 0.999).
 * Unclipped: γ(1) = cos²(π/2)/f(0) ≈ 3.7e-33, logSNR(1) ≈ −74.7.
 */
export function iddpmCosine(options: IddpmCosineOptions = {}): Schedule {
  const s = options.s ?? 0.008;
  assertInClosedRange('s', s, 0, 1);
  const halfPi = Math.PI / 2;
  const f = (t: number): number => {
    const c = cosQuarterTurn(((t + s) / (1 + s)) * halfPi);
    return c * c;
  };
  const f0 = f(0);
  const tFromGamma = (g: number): number => (Math.acos(Math.sqrt(g * f0)) / halfPi) * (1 + s) - s;
  return defineSchedule({
    family: 'iddpmCosine',
    spec: s === 0.008 ? 'iddpm_cosine' : `iddpm_cosine@${formatNumber(s)}`,
    gamma: (t) => f(t) / f0,
    fillGamma(ts, out) {
      for (let i = 0; i < ts.length; i++) {
        const t = ts[i]!;
        if (!(t >= 0 && t <= 1)) badTime(i, t);
        const c = cosQuarterTurn(((t + s) / (1 + s)) * halfPi);
        out[i] = (c * c) / f0;
      }
    },
    tFromGamma,
    tFromLogSnr: (l) => tFromGamma(1 / (1 + Math.exp(-l))),
  });
}
