import { sigmoidFn } from '../math.js';
import { defineSchedule, type Schedule } from '../schedule.js';

/**
 * A schedule from your own logSNR function λ(t) on [0, 1], which must be decreasing (λ(0) may be
 * +∞ and λ(1) −∞). γ = σ(λ); the inverse maps bisect to 1e-12. Such a schedule has no spec string.
 */
export function fromLogSnr(logSnr: (t: number) => number): Schedule {
  if (typeof logSnr !== 'function') {
    throw new TypeError(`\`logSnr\` must be a function of t, got ${typeof logSnr}`);
  }
  const checked = (t: number): number => {
    const value = logSnr(t);
    if (Number.isNaN(value)) throw new RangeError(`custom \`logSnr(${t})\` returned NaN`);
    return value;
  };
  return defineSchedule({
    family: 'custom',
    spec: undefined,
    gamma: (t) => sigmoidFn(checked(t)),
    logSnr: checked,
  });
}
