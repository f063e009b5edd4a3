import { assertOrdered, assertPositive } from '../errors.js';
import { sigmoidFn } from '../math.js';
import { defineSchedule, type Schedule } from '../schedule.js';
import { formatNumber } from './common.js';

/**
 * Default logSNR range: σ ∈ [1e-3, 1e3] as in k-diffusion's `rand_cosine_interpolated`, i.e.
 * λ = −2·ln σ ∈ [−2·ln 1000, 2·ln 1000] ≈ [−13.82, 13.82].
 */
export const SIMPLE_DIFFUSION_LOGSNR_MIN = -2 * Math.log(1000);
export const SIMPLE_DIFFUSION_LOGSNR_MAX = 2 * Math.log(1000);

export interface ShiftedCosineOptions {
  /** Image side d (e.g. 256). */
  readonly imageSize: number;
  /** Base resolution the cosine is tuned for (simple diffusion: 64). */
  readonly noiseSize?: number;
  readonly logSnrMin?: number;
  readonly logSnrMax?: number;
}

export interface InterpolatedCosineOptions {
  readonly imageSize: number;
  /** The shifted cosine at this base size is used at t = 0 (default 32). */
  readonly noiseSizeLow?: number;
  /** …and at this one at t = 1 (default 256). */
  readonly noiseSizeHigh?: number;
  readonly logSnrMin?: number;
  readonly logSnrMax?: number;
}

/** λ_cos(t) = −2·ln tan(t_min + t·(t_max − t_min)) on [λmin, λmax] (simple diffusion). */
function cosineLogSnr(lambdaMin: number, lambdaMax: number) {
  const tMin = Math.atan(Math.exp(-lambdaMax / 2));
  const tMax = Math.atan(Math.exp(-lambdaMin / 2));
  return {
    logSnr: (t: number): number => -2 * Math.log(Math.tan(tMin + t * (tMax - tMin))),
    tFromLogSnr: (l: number): number => (Math.atan(Math.exp(-l / 2)) - tMin) / (tMax - tMin),
  };
}

/** The shifted cosine at one base size: λ_cos(t; λmin − shift, λmax − shift) + shift, shift = 2·ln(noise/image). */
function shiftedLogSnr(imageSize: number, noiseSize: number, lambdaMin: number, lambdaMax: number) {
  const shift = 2 * Math.log(noiseSize / imageSize);
  const base = cosineLogSnr(lambdaMin - shift, lambdaMax - shift);
  return {
    logSnr: (t: number): number => base.logSnr(t) + shift,
    tFromLogSnr: (l: number): number => base.tFromLogSnr(l - shift),
  };
}

function checkRange(lambdaMin: number, lambdaMax: number): void {
  assertOrdered('logSnrMin', lambdaMin, 'logSnrMax', lambdaMax);
}

const rangeSuffix = (lambdaMin: number, lambdaMax: number): string =>
  lambdaMin === SIMPLE_DIFFUSION_LOGSNR_MIN && lambdaMax === SIMPLE_DIFFUSION_LOGSNR_MAX
    ? ''
    : `,${formatNumber(lambdaMin)},${formatNumber(lambdaMax)}`;

/**
 * Simple diffusion's shifted cosine (Hoogeboom et al. 2023, §7.2 of our spec): the cosine logSNR
 * schedule moved by 2·ln(noiseSize/imageSize), so a d×d image sees the noise a noiseSize² image
 * would. γ = σ(λ). Equivalent in logSNR to input scaling with b = noiseSize/imageSize.
 */
export function shiftedCosine(options: ShiftedCosineOptions): Schedule {
  const { imageSize } = options;
  const noiseSize = options.noiseSize ?? 64;
  const lambdaMin = options.logSnrMin ?? SIMPLE_DIFFUSION_LOGSNR_MIN;
  const lambdaMax = options.logSnrMax ?? SIMPLE_DIFFUSION_LOGSNR_MAX;
  assertPositive('imageSize', imageSize);
  assertPositive('noiseSize', noiseSize);
  checkRange(lambdaMin, lambdaMax);
  const { logSnr, tFromLogSnr } = shiftedLogSnr(imageSize, noiseSize, lambdaMin, lambdaMax);
  return defineSchedule({
    family: 'shiftedCosine',
    spec: `shifted_cosine@${formatNumber(imageSize)},${formatNumber(noiseSize)}${rangeSuffix(lambdaMin, lambdaMax)}`,
    gamma: (t) => sigmoidFn(logSnr(t)),
    logSnr,
    tFromLogSnr,
    tFromGamma: (g) => tFromLogSnr(Math.log(g) - Math.log1p(-g)),
  });
}

/**
 * Simple diffusion's interpolated shifted cosine: λ(t) = (1 − t)·λ_low(t) + t·λ_high(t), the
 * shifted cosines at `noiseSizeLow` and `noiseSizeHigh` (the k-diffusion reading: lerp(low, high, t)).
 * No closed-form inverse: `tFromGamma`/`tFromLogSnr` bisect.
 */
export function interpolatedCosine(options: InterpolatedCosineOptions): Schedule {
  const { imageSize } = options;
  const low = options.noiseSizeLow ?? 32;
  const high = options.noiseSizeHigh ?? 256;
  const lambdaMin = options.logSnrMin ?? SIMPLE_DIFFUSION_LOGSNR_MIN;
  const lambdaMax = options.logSnrMax ?? SIMPLE_DIFFUSION_LOGSNR_MAX;
  assertPositive('imageSize', imageSize);
  assertPositive('noiseSizeLow', low);
  assertPositive('noiseSizeHigh', high);
  checkRange(lambdaMin, lambdaMax);
  const lowSchedule = shiftedLogSnr(imageSize, low, lambdaMin, lambdaMax);
  const highSchedule = shiftedLogSnr(imageSize, high, lambdaMin, lambdaMax);
  const logSnr = (t: number): number => {
    const a = lowSchedule.logSnr(t);
    return a + t * (highSchedule.logSnr(t) - a);
  };
  return defineSchedule({
    family: 'interpolatedCosine',
    spec: `interpolated_cosine@${formatNumber(imageSize)},${formatNumber(low)},${formatNumber(high)}${rangeSuffix(lambdaMin, lambdaMax)}`,
    gamma: (t) => sigmoidFn(logSnr(t)),
    logSnr,
  });
}
