import { assertInClosedRange, badTime } from '../errors.js';
import { npClip } from '../math.js';
import { defineSchedule, type Schedule } from '../schedule.js';
import { clipSuffix, DEFAULT_CLIP_MIN } from './common.js';

export interface LinearOptions {
  /** Lower clip of γ, so logSNR stays finite at t = 1 (Algorithm 1: 1e-9). */
  readonly clipMin?: number;
}

/**
 * γ(t) = clip(1 − t, clipMin, 1): the paper's "simple linear" schedule (Algorithm 1,
 * `simple_linear_schedule`), not the linear β schedule of DDPM.
 */
export function linear(options: LinearOptions = {}): Schedule {
  const clipMin = options.clipMin ?? DEFAULT_CLIP_MIN;
  assertInClosedRange('clipMin', clipMin, 0, 0.5);
  return defineSchedule({
    family: 'linear',
    spec: `simple_linear${clipSuffix(clipMin)}`,
    gamma: (t) => npClip(1 - t, clipMin, 1),
    fillGamma(ts, out) {
      for (let i = 0; i < ts.length; i++) {
        const t = ts[i]!;
        if (!(t >= 0 && t <= 1)) badTime(i, t);
        const g = 1 - t;
        out[i] = g < clipMin ? clipMin : g; // 1 − t ≤ 1 for t ≥ 0
      }
    },
    tFromGamma: (g) => 1 - g,
    // ln((1 − t)/t) = λ  ⇔  t = σ(−λ); the clip only matters below γ = clipMin.
    tFromLogSnr: (l) => 1 / (1 + Math.exp(l)),
  });
}
