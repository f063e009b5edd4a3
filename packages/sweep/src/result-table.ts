/**
 * Trial results grouped into the cells of the grid they came from (resolution × schedule × b),
 * with mean, spread and extremes over seeds: what the report's tables and charts are drawn from.
 */
import type { TrialResult } from './types.js';

/** All seeds of one (resolution, schedule, b) cell of the grid. */
export interface Cell {
  readonly resolution: number;
  readonly schedule: string;
  readonly inputScale: number;
  /** Metric values in seed order. */
  readonly values: readonly number[];
  readonly mean: number;
  /** Sample standard deviation (n − 1); undefined with a single seed. */
  readonly sd: number | undefined;
  readonly min: number;
  readonly max: number;
}

/** The trials grouped into cells, with the axes of the grid in report order. */
export interface ResultTable {
  readonly metric: string;
  readonly resolutions: readonly number[];
  /** In order of first appearance, so the caller's (sweep config's) order is kept. */
  readonly schedules: readonly string[];
  readonly scales: readonly number[];
  readonly seeds: readonly number[];
  readonly cells: readonly Cell[];
  /** Trials sorted by resolution, schedule, b, seed. */
  readonly trials: readonly TrialResult[];
  cell(resolution: number, schedule: string, inputScale: number): Cell | undefined;
}

const cellKey = (resolution: number, schedule: string, inputScale: number): string =>
  JSON.stringify([resolution, schedule, inputScale]);

/** Validates the results and groups them into cells. Throws on anything a report cannot compare. */
export function tabulateResults(results: readonly TrialResult[]): ResultTable {
  const first = results[0];
  if (first === undefined) throw new Error('sweepReport: no trial results to report');
  const metric = first.metric;
  const seen = new Map<string, string>();
  for (const r of results) {
    if (r.metric !== metric) {
      throw new Error(
        `sweepReport: trials measure different metrics (${metric} in ${first.id}, ` +
          `${r.metric} in ${r.id}); a report compares one metric`,
      );
    }
    if (!Number.isFinite(r.value)) {
      throw new Error(`sweepReport: trial ${r.id} has a non-finite ${metric} (${r.value})`);
    }
    if (!(Number.isInteger(r.resolution) && r.resolution > 0)) {
      throw new Error(`sweepReport: trial ${r.id} has resolution ${r.resolution}`);
    }
    if (!(Number.isFinite(r.inputScale) && r.inputScale > 0)) {
      throw new Error(`sweepReport: trial ${r.id} has input scale ${r.inputScale}`);
    }
    // Two results for one seed would weight that seed twice in the mean and shrink the sd.
    const key = JSON.stringify([r.resolution, r.schedule, r.inputScale, r.seed]);
    const other = seen.get(key);
    if (other !== undefined) {
      throw new Error(
        `sweepReport: trials ${other} and ${r.id} are the same grid point (resolution ` +
          `${r.resolution}, ${r.schedule}, b=${r.inputScale}, seed ${r.seed})`,
      );
    }
    seen.set(key, r.id);
  }

  const ascending = (values: Iterable<number>) => [...new Set(values)].sort((a, b) => a - b);
  const resolutions = ascending(results.map((r) => r.resolution));
  const schedules = [...new Set(results.map((r) => r.schedule))];
  const scales = ascending(results.map((r) => r.inputScale));
  const scheduleOrder = (s: string) => schedules.indexOf(s);
  const trials = [...results].sort(
    (a, b) =>
      a.resolution - b.resolution ||
      scheduleOrder(a.schedule) - scheduleOrder(b.schedule) ||
      a.inputScale - b.inputScale ||
      a.seed - b.seed,
  );

  const groups = new Map<string, TrialResult[]>();
  for (const t of trials) {
    const key = cellKey(t.resolution, t.schedule, t.inputScale);
    const group = groups.get(key);
    if (group === undefined) groups.set(key, [t]);
    else group.push(t);
  }
  const byKey = new Map<string, Cell>();
  for (const [key, group] of groups) {
    const { resolution, schedule, inputScale } = group[0]!;
    byKey.set(key, { resolution, schedule, inputScale, ...statistics(group.map((t) => t.value)) });
  }
  return {
    metric,
    resolutions,
    schedules,
    scales,
    seeds: ascending(results.map((r) => r.seed)),
    cells: [...byKey.values()],
    trials,
    cell: (resolution, schedule, inputScale) =>
      byKey.get(cellKey(resolution, schedule, inputScale)),
  };
}

function statistics(
  values: readonly number[],
): Pick<Cell, 'values' | 'mean' | 'sd' | 'min' | 'max'> {
  const n = values.length;
  const mean = values.reduce((a, v) => a + v, 0) / n;
  const sd =
    n >= 2 ? Math.sqrt(values.reduce((a, v) => a + (v - mean) ** 2, 0) / (n - 1)) : undefined;
  return { values, mean, sd, min: Math.min(...values), max: Math.max(...values) };
}
