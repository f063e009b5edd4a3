import {
  assertFinite,
  assertInClosedRange,
  assertOrdered,
  assertPositive,
  badTime,
} from '../errors.js';
import { cosQuarterTurn, isSmallInteger, powInt } from '../kernels.js';
import { npClip, sigmoidFn } from '../math.js';
import { defineSchedule, type Schedule } from '../schedule.js';
import { clipSuffix, DEFAULT_CLIP_MIN, formatNumber } from './common.js';

export interface CosineOptions {
  /** Start of the cosine's argument range, in units of π/2 (paper default 0). */
  readonly start?: number;
  /** End of the range, in units of π/2 (paper default 1; the TF reference code defaults to 0.5). */
  readonly end?: number;
  /** Power τ: γ uses cos(·)^(2τ) (default 1). */
  readonly tau?: number;
  readonly clipMin?: number;
}

/**
 * The paper's cosine schedule (Algorithm 1, `cosine_schedule`):
 * v(u) = cos(u·π/2)^(2τ), γ(t) = clip((v(end) − v(t·(end − start) + start)) / (v(end) − v(start)), clipMin, 1).
 * Defaults are the paper's (start 0, end 1, τ 1: γ = cos²(πt/2)), not the TF code's end = 0.5.
 */
export function cosine(options: CosineOptions = {}): Schedule {
  const start = options.start ?? 0;
  const end = options.end ?? 1;
  const tau = options.tau ?? 1;
  const clipMin = options.clipMin ?? DEFAULT_CLIP_MIN;
  assertFinite('start', start);
  assertFinite('end', end);
  assertInClosedRange('start', start, 0, 1);
  assertInClosedRange('end', end, 0, 1);
  assertOrdered('start', start, 'end', end);
  assertPositive('tau', tau);
  assertInClosedRange('clipMin', clipMin, 0, 0.5);

  const halfPi = Math.PI / 2;
  const power = 2 * tau;
  const span = end - start;

  // cos(·)^(2τ): by repeated multiplication when 2τ is a small integer (τ = 1, 2, 3 in the paper).
  const integerPower = isSmallInteger(power);
  const powered = (c: number): number => (integerPower ? powInt(c, power) : c ** power);
  // Through the same kernels as γ(t), so γ(0) is exactly 1 and γ(1) exactly clipMin.
  const vStart = powered(cosQuarterTurn(start * halfPi));
  const vEnd = powered(cosQuarterTurn(end * halfPi));
  const denominator = vEnd - vStart;

  // Same operation order as Algorithm 1, so results agree with numpy to round-off.
  const gamma = (t: number): number => {
    const output = powered(cosQuarterTurn((t * span + start) * halfPi));
    return npClip((vEnd - output) / denominator, clipMin, 1);
  };

  // Invert γ = (vEnd − c^(2τ)) / (vEnd − vStart) for c = cos(u·π/2), then u = t·span + start.
  const tFromGamma = (g: number): number => {
    const output = Math.max(vEnd - g * denominator, 0);
    const u = Math.acos(Math.min(output ** (1 / power), 1)) / halfPi;
    return (u - start) / span;
  };

  return defineSchedule({
    family: 'cosine',
    spec: `cosine@${formatNumber(start)},${formatNumber(end)},${formatNumber(tau)}${clipSuffix(clipMin)}`,
    gamma,
    fillGamma(ts, out) {
      for (let i = 0; i < ts.length; i++) {
        const t = ts[i]!;
        if (!(t >= 0 && t <= 1)) badTime(i, t);
        const c = cosQuarterTurn((t * span + start) * halfPi);
        const output = integerPower ? powInt(c, power) : c ** power;
        out[i] = Math.min(Math.max((vEnd - output) / denominator, clipMin), 1);
      }
    },
    tFromGamma,
    tFromLogSnr: (l) => tFromGamma(sigmoidFn(l)),
  });
}
