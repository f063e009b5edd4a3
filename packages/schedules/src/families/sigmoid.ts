import { assertInClosedRange, assertOrdered, assertPositive, badTime } from '../errors.js';
import { expKernel } from '../kernels.js';
import { logit, npClip, sigmoidFn } from '../math.js';
import { defineSchedule, type Schedule } from '../schedule.js';
import { clipSuffix, DEFAULT_CLIP_MIN, formatNumber } from './common.js';

export interface SigmoidOptions {
  /** Left end of the sigmoid's input range before division by τ (default −3). */
  readonly start?: number;
  /** Right end (default 3). */
  readonly end?: number;
  /** Temperature τ (default 1; the paper's tables use 0.3 … 1.1). */
  readonly tau?: number;
  readonly clipMin?: number;
}

/**
 * The sigmoid schedule of RIN as written in Algorithm 1 (`sigmoid_schedule`):
 * γ(t) = clip((σ(end/τ) − σ((t·(end − start) + start)/τ)) / (σ(end/τ) − σ(start/τ)), clipMin, 1).
 */
export function sigmoid(options: SigmoidOptions = {}): Schedule {
  const start = options.start ?? -3;
  const end = options.end ?? 3;
  const tau = options.tau ?? 1;
  const clipMin = options.clipMin ?? DEFAULT_CLIP_MIN;
  assertOrdered('start', start, 'end', end);
  assertPositive('tau', tau);
  assertInClosedRange('clipMin', clipMin, 0, 0.5);

  const vStart = sigmoidFn(start / tau);
  const vEnd = sigmoidFn(end / tau);
  const span = end - start;
  const denominator = vEnd - vStart;

  const gamma = (t: number): number => {
    const output = sigmoidFn((t * span + start) / tau);
    return npClip((vEnd - output) / denominator, clipMin, 1);
  };

  const tFromGamma = (g: number): number => (tau * logit(vEnd - g * denominator) - start) / span;

  return defineSchedule({
    family: 'sigmoid',
    spec: `sigmoid@${formatNumber(start)},${formatNumber(end)},${formatNumber(tau)}${clipSuffix(clipMin)}`,
    gamma,
    fillGamma(ts, out) {
      for (let i = 0; i < ts.length; i++) {
        const t = ts[i]!;
        if (!(t >= 0 && t <= 1)) badTime(i, t);
        const output = 1 / (1 + expKernel(-((t * span + start) / tau)));
        out[i] = Math.min(Math.max((vEnd - output) / denominator, clipMin), 1);
      }
    },
    tFromGamma,
    tFromLogSnr: (l) => tFromGamma(sigmoidFn(l)),
  });
}
