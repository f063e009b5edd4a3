/**
 * Learning rate of the reference code's `WarmUpAndDecay` (spec §3.7): linear warm-up
 * base·step/warmup, then `cosine@r` — Keras CosineDecay over D = (total − warmup)/r steps, so only
 * the first r of the cosine is traversed (r = 0.7 ends at ≈ 0.206·base) — or `constant`.
 */
export type LrDecay = 'constant' | `cosine@${number}`;

export interface LrSchedule {
  readonly base: number;
  readonly warmupSteps: number;
  readonly totalSteps: number;
  readonly decay: LrDecay;
}

export function parseDecay(text: string): LrDecay {
  if (text === 'constant' || text === 'none') return 'constant';
  const match = /^cosine@([0-9.]+)$/.exec(text);
  const r = match ? Number(match[1]) : Number.NaN;
  if (!(r > 0 && r <= 1)) {
    throw new RangeError(
      `learning-rate decay must be 'constant' or 'cosine@r' with r in (0, 1], got ${JSON.stringify(text)}`,
    );
  }
  return `cosine@${r}`;
}

/** The learning rate of update number `step` (1-based, as fed to the optimizer). */
export function learningRate(schedule: LrSchedule, step: number): number {
  const { base, warmupSteps, totalSteps, decay } = schedule;
  const s = step - 1; // the reference evaluates its schedule at the 0-based iteration
  if (s < warmupSteps) return (base * s) / warmupSteps;
  if (decay === 'constant') return base;
  const r = Number(decay.slice('cosine@'.length));
  const decaySteps = Math.max((totalSteps - warmupSteps) / r, 1);
  const progress = Math.min(s - warmupSteps, decaySteps) / decaySteps;
  return base * 0.5 * (1 + Math.cos(Math.PI * progress));
}
