import { assertInClosedRange, assertInteger, assertOrdered } from './errors.js';
import type { Schedule } from './schedule.js';

/**
 * Where a schedule puts its training mass in logSNR when t ~ U(0, 1) (the paper's Figure 5 view).
 * Because λ(t) is decreasing, P(λ ≤ x) = 1 − t(x): every bin's probability is exact, taken from the
 * inverse map, with no sampling and no derivative.
 */
export interface LogSnrDensity {
  /** Bin edges, length bins + 1, increasing. */
  readonly edges: Float64Array;
  /** Bin centres, length bins. */
  readonly centers: Float64Array;
  /** Probability of each bin. */
  readonly mass: Float64Array;
  /** mass / bin width: the density of λ. */
  readonly density: Float64Array;
  /** Probability of λ below the first edge (e.g. the point mass at ln(clipMin) ≈ −20.7 if below). */
  readonly massBelow: number;
  /** Probability of λ above the last edge. */
  readonly massAbove: number;
}

export interface DensityOptions {
  /** Lowest logSNR edge (default −20). */
  readonly min?: number;
  /** Highest logSNR edge (default 20). */
  readonly max?: number;
  /** Number of bins (default 200). */
  readonly bins?: number;
}

/** P(λ(t) ≤ x) for t ~ U(0, 1). */
export function logSnrCdf(schedule: Schedule, x: number): number {
  return 1 - schedule.tFromLogSnr(x);
}

/** The logSNR density of `schedule` for t ~ U(0, 1), in exact bin probabilities. */
export function logSnrDensity(schedule: Schedule, options: DensityOptions = {}): LogSnrDensity {
  const min = options.min ?? -20;
  const max = options.max ?? 20;
  const bins = options.bins ?? 200;
  assertOrdered('min', min, 'max', max);
  assertInteger('bins', bins, 1);
  const width = (max - min) / bins;
  const edges = new Float64Array(bins + 1);
  const cdf = new Float64Array(bins + 1);
  for (let i = 0; i <= bins; i++) {
    edges[i] = i === bins ? max : min + i * width;
    cdf[i] = logSnrCdf(schedule, edges[i]!);
  }
  const centers = new Float64Array(bins);
  const mass = new Float64Array(bins);
  const density = new Float64Array(bins);
  for (let i = 0; i < bins; i++) {
    centers[i] = 0.5 * (edges[i]! + edges[i + 1]!);
    mass[i] = Math.max(cdf[i + 1]! - cdf[i]!, 0);
    density[i] = mass[i]! / (edges[i + 1]! - edges[i]!);
  }
  return { edges, centers, mass, density, massBelow: cdf[0]!, massAbove: 1 - cdf[bins]! };
}

/** The logSNR at quantile q of the training distribution: λ(1 − q), since λ decreases in t. */
export function logSnrQuantile(schedule: Schedule, q: number): number {
  assertInClosedRange('q', q, 0, 1);
  return schedule.logSnr(1 - q);
}

/** Mass of each schedule in one logSNR interval [from, to). */
export interface RegionMass {
  readonly from: number;
  readonly to: number;
  readonly massA: number;
  readonly massB: number;
}

export interface ScheduleComparison {
  /** Quartiles and median of λ under each schedule: [q10, q25, q50, q75, q90]. */
  readonly quantilesA: readonly number[];
  readonly quantilesB: readonly number[];
  /** Mass of each schedule in the regions cut at `boundaries`. */
  readonly regions: readonly RegionMass[];
  /** Total-variation distance between the two λ distributions (½·Σ|pA − pB| over fine bins). */
  readonly totalVariation: number;
  /** Fraction of t ∈ (0, 1) where λ_A(t) > λ_B(t); above 0.5, A trains at cleaner levels most of the time. */
  readonly fractionCleanerA: number;
}

export interface CompareOptions {
  /** Region cut points in logSNR (default −5, −2, 0, 2, 5: very noisy … nearly clean). */
  readonly boundaries?: readonly number[];
}

const QUANTILES = [0.1, 0.25, 0.5, 0.75, 0.9] as const;

/**
 * Compares where two schedules put their training mass in logSNR: quantiles, mass per region and
 * total-variation distance. All exact from the inverse maps.
 */
export function compareSchedules(
  a: Schedule,
  b: Schedule,
  options: CompareOptions = {},
): ScheduleComparison {
  const boundaries = [...(options.boundaries ?? [-5, -2, 0, 2, 5])];
  for (let i = 1; i < boundaries.length; i++) {
    assertOrdered(`boundaries[${i - 1}]`, boundaries[i - 1]!, `boundaries[${i}]`, boundaries[i]!);
  }
  const cuts = [Number.NEGATIVE_INFINITY, ...boundaries, Number.POSITIVE_INFINITY];
  const regions: RegionMass[] = [];
  for (let i = 0; i + 1 < cuts.length; i++) {
    const from = cuts[i]!;
    const to = cuts[i + 1]!;
    regions.push({
      from,
      to,
      massA: logSnrCdf(a, to) - logSnrCdf(a, from),
      massB: logSnrCdf(b, to) - logSnrCdf(b, from),
    });
  }
  // Fine grid wide enough for every schedule here (clip floors sit near −20.7, iDDPM near −75).
  const grid = { min: -80, max: 40, bins: 4800 };
  const densityA = logSnrDensity(a, grid);
  const densityB = logSnrDensity(b, grid);
  let tv =
    Math.abs(densityA.massBelow - densityB.massBelow) +
    Math.abs(densityA.massAbove - densityB.massAbove);
  for (let i = 0; i < grid.bins; i++) tv += Math.abs(densityA.mass[i]! - densityB.mass[i]!);
  let cleaner = 0;
  const samples = 1000;
  for (let i = 0; i < samples; i++) {
    const t = (i + 0.5) / samples;
    if (a.logSnr(t) > b.logSnr(t)) cleaner++;
  }
  return {
    quantilesA: QUANTILES.map((q) => logSnrQuantile(a, q)),
    quantilesB: QUANTILES.map((q) => logSnrQuantile(b, q)),
    regions,
    totalVariation: tv / 2,
    fractionCleanerA: cleaner / samples,
  };
}
