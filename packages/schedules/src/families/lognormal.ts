import { assertFinite, assertPositive } from '../errors.js';
import { sigmoidFn } from '../math.js';
import { normalCdf, normalQuantile } from '../normal.js';
import { defineSchedule, type Schedule } from '../schedule.js';
import { formatNumber } from './common.js';

export interface LognormalOptions {
  /** Mean of logSNR under t ~ U(0, 1) (default 0). */
  readonly mean?: number;
  /** Standard deviation of logSNR (default 2: SD3's logit-normal(0, 1) on rectified flow). */
  readonly std?: number;
}

/**
 * logSNR(t) = mean − std·Φ⁻¹(t), so that logSNR ~ N(mean, std²) when t ~ U(0, 1): the inverse-CDF
 * γ(t) = σ(logSNR(t)) of a normal training density over logSNR (logSNR(0) = +∞, logSNR(1) = −∞).
 * EDM's ln σ ~ N(P_mean, P_std²) is `lognormal@(−2·P_mean),(2·P_std)` (see {@link edmLognormal});
 * SD3's logit-normal flow time, logit(t) ~ N(m, s²), is `lognormal@(−2·m),(2·s)` ({@link sd3LogitNormal}).
 */
export function lognormal(options: LognormalOptions = {}): Schedule {
  const mean = options.mean ?? 0;
  const std = options.std ?? 2;
  assertFinite('mean', mean);
  assertPositive('std', std);
  const logSnr = (t: number): number => mean - std * normalQuantile(t);
  // t = Φ((mean − λ)/std), the normal CDF the density tools read back.
  const tFromLogSnr = (l: number): number => normalCdf((mean - l) / std);
  return defineSchedule({
    family: 'lognormal',
    spec: `lognormal@${formatNumber(mean)},${formatNumber(std)}`,
    gamma: (t) => sigmoidFn(logSnr(t)),
    logSnr,
    tFromLogSnr,
    tFromGamma: (g) => tFromLogSnr(Math.log(g) - Math.log1p(-g)),
  });
}

export interface EdmLognormalOptions {
  /** EDM's P_mean, the mean of ln σ (Karras et al. 2022, Table 1: −1.2). */
  readonly pMean?: number;
  /** EDM's P_std, the std of ln σ (1.2). */
  readonly pStd?: number;
}

/**
 * EDM's training noise (Karras et al. 2022): ln σ ~ N(P_mean, P_std²) with σ the VE noise level of
 * data in [−1, 1], i.e. logSNR = −2·ln σ ~ N(−2·P_mean, (2·P_std)²): `lognormal@(−2·P_mean),(2·P_std)`.
 */
export function edmLognormal(options: EdmLognormalOptions = {}): Schedule {
  const pMean = options.pMean ?? -1.2;
  const pStd = options.pStd ?? 1.2;
  assertFinite('pMean', pMean);
  assertPositive('pStd', pStd);
  return lognormal({ mean: -2 * pMean, std: 2 * pStd });
}

export interface Sd3LogitNormalOptions {
  /** Location m of logit(t) (Esser et al. 2024, "lognorm(m, s)"; default 0). */
  readonly m?: number;
  /** Scale s of logit(t) (default 1). */
  readonly s?: number;
}

/**
 * SD3's logit-normal timestep density (Esser et al. 2024, §3.1): flow time τ = sigmoid(u),
 * u ~ N(m, s²), on x_τ = (1 − τ)·x0 + τ·ε. Its logSNR is 2·ln((1 − τ)/τ) = −2u ~ N(−2m, (2s)²),
 * i.e. `lognormal@(−2·m),(2·s)`.
 */
export function sd3LogitNormal(options: Sd3LogitNormalOptions = {}): Schedule {
  const m = options.m ?? 0;
  const s = options.s ?? 1;
  assertFinite('m', m);
  assertPositive('s', s);
  return lognormal({ mean: -2 * m, std: 2 * s });
}
