import { assertPositive } from './errors.js';
import { formatNumber } from './families/common.js';
import { logit, sigmoidFn } from './math.js';
import { baseSchedule, withInputScale } from './scaling.js';
import { defineSchedule, type Schedule } from './schedule.js';

/** Shifted schedule → its unshifted base and total shift, so shifts compose instead of nesting. */
const unshifted = new WeakMap<Schedule, { readonly base: Schedule; readonly shift: number }>();

/**
 * SD3's shift applied to the schedule itself (Esser et al. 2024, §5.3.2; spec `+shift=s`):
 * γ′(t) = σ(logSNR(t) − 2·ln s), i.e. logSNR′ = logSNR − 2·ln s, a noisier schedule for s > 1.
 * On rectified flow it is SD3's shifted flow time t′ = s·t/(1 + (s − 1)·t).
 *
 * `+shift=s` and `+scale=1/s` give the same logSNR(t) but are different processes: the shift
 * changes γ, so x_t = √γ′·x0 + √(1 − γ′)·ε stays variance-preserving and the network is conditioned
 * on γ′; the input scale keeps γ and scales the data, x_t = √γ·(x0/s) + √(1 − γ)·ε, so Var[x_t] ≠ 1
 * (the paper normalises it), the network sees the unshifted γ, and x̂0 lives in [−1/s, 1/s].
 * A shift of a scaled schedule shifts the schedule beneath the scale; shifts multiply.
 */
export function withShift(schedule: Schedule, s: number): Schedule {
  assertPositive('s', s);
  if (schedule.inputScale !== 1) {
    return withInputScale(withShift(baseSchedule(schedule), s), schedule.inputScale);
  }
  const prior = unshifted.get(schedule);
  const base = prior?.base ?? schedule;
  const shift = (prior?.shift ?? 1) * s;
  if (shift === 1) return base;
  const offset = 2 * Math.log(shift);
  const shifted = defineSchedule({
    family: base.family,
    spec: base.spec === undefined ? undefined : `${base.spec}+shift=${formatNumber(shift)}`,
    gamma: (t) => sigmoidFn(base.logSnr(t) - offset),
    logSnr: (t) => base.logSnr(t) - offset,
    tFromGamma: (g) => base.tFromLogSnr(logit(g) + offset),
    tFromLogSnr: (l) => base.tFromLogSnr(l + offset),
  });
  unshifted.set(shifted, { base, shift });
  return shifted;
}

/** The shift s of a schedule built by {@link withShift} (under any input scale); 1 otherwise. */
export function scheduleShift(schedule: Schedule): number {
  return unshifted.get(baseSchedule(schedule))?.shift ?? 1;
}
