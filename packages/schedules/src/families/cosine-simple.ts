import { badTime } from '../errors.js';
import { cosQuarterTurn } from '../kernels.js';
import { defineSchedule, type Schedule } from '../schedule.js';

/** Offsets of the reference code's `cosine_schedule_simple` (pix2seq `diffusion_utils.py`). */
const NS = 0.0002;
const DS = 0.00025;

/**
 * γ(t) = cos²(((t + ns)/(1 + ds))·π/2) with ns = 2e-4, ds = 2.5e-4, unclipped: the schedule the
 * reference configs call plain `cosine`, and the inference schedule the paper samples with
 * ("standard cosine schedule works well for sampling"). γ(0) ≈ 1 − 1e-7, γ(1) ≈ 6.2e-9.
 */
export function cosineSimple(): Schedule {
  const halfPi = Math.PI / 2;
  return defineSchedule({
    family: 'cosineSimple',
    spec: 'cosine',
    gamma: (t) => {
      const c = cosQuarterTurn(((t + NS) / (1 + DS)) * halfPi);
      return c * c;
    },
    fillGamma(ts, out) {
      for (let i = 0; i < ts.length; i++) {
        const t = ts[i]!;
        if (!(t >= 0 && t <= 1)) badTime(i, t);
        const c = cosQuarterTurn(((t + NS) / (1 + DS)) * halfPi);
        out[i] = c * c;
      }
    },
    tFromGamma: (g) => (Math.acos(Math.sqrt(g)) / halfPi) * (1 + DS) - NS,
    // cos²θ / sin²θ = e^λ  ⇔  θ = atan(e^(−λ/2)).
    tFromLogSnr: (l) => (Math.atan(Math.exp(-l / 2)) / halfPi) * (1 + DS) - NS,
  });
}
