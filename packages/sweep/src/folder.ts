/**
 * The layout of a sweep folder, which is the whole state of a sweep:
 *   grid.json                 the grid as run (defaults filled)
 *   reference/r<res>.npz      feature statistics of the held-out images per resolution
 *   trials/<id>/              an ordinary run folder per trial (its lock.json says who runs it),
 *     trained.json            training reached the budget
 *     result.json             the trial's measured distance (TrialResult)
 *     log.txt                 what the trial process printed, across attempts
 */
import { existsSync, mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { RunLock, runStep, writeFileAtomic } from '@ns/trainer';
import { parseGrid, type SweepGrid } from './grid.js';
import type { TrialResult } from './types.js';

export function trialDir(sweepDir: string, id: string): string {
  return join(sweepDir, 'trials', id);
}

/** Replaces `path` with `value` as JSON, crash-safe (the trainer's write, fsync included). */
export function writeJsonAtomic(path: string, value: unknown): Promise<void> {
  return writeFileAtomic(path, `${JSON.stringify(value, null, 2)}\n`);
}

export function readJson<T>(path: string): T | undefined {
  return existsSync(path) ? (JSON.parse(readFileSync(path, 'utf8')) as T) : undefined;
}

export function readTrialResult(sweepDir: string, id: string): TrialResult | undefined {
  return readJson<TrialResult>(join(trialDir(sweepDir, id), 'result.json'));
}

/** `<sweep>/grid.json`: the grid with every default filled in, as the trials ran it. */
export function gridPath(sweepDir: string): string {
  return join(sweepDir, 'grid.json');
}

export function readSweepGrid(sweepDir: string): SweepGrid {
  const path = gridPath(sweepDir);
  if (!existsSync(path)) {
    throw new Error(`${sweepDir} is not a sweep folder (no grid.json); start one with --grid`);
  }
  return parseGrid(JSON.parse(readFileSync(path, 'utf8')), path);
}

/** The lists that span the grid; a sweep may grow along them. */
const AXES = ['resolutions', 'schedules', 'inputScales', 'seeds'] as const;

/**
 * Why `given` cannot continue the sweep of `saved`, or undefined when it can: equal settings, and
 * every value of every axis still present (new values add trials; finished ones stay valid).
 */
export function gridChange(saved: SweepGrid, given: SweepGrid): string | undefined {
  const settings = (g: SweepGrid) => {
    const rest: Record<string, unknown> = { ...g };
    for (const axis of [...AXES, 'patchSize']) delete rest[axis];
    // Patch sizes of resolutions the saved grid has must not change; new ones may be added.
    const kept = g.resolutions.map((r) => g.patchSize[String(r)] ?? null);
    return JSON.stringify({ ...rest, kept });
  };
  const savedSettings = settings(saved);
  const narrowed = { ...given, resolutions: saved.resolutions };
  if (settings(narrowed) !== savedSettings) return 'its settings differ';
  for (const axis of AXES) {
    const missing = (saved[axis] as readonly unknown[]).filter(
      (v) => !(given[axis] as readonly unknown[]).includes(v),
    );
    if (missing.length > 0) return `${axis} lost ${missing.join(', ')}`;
  }
  return undefined;
}

/**
 * The grid of a sweep folder: the given one is saved on first use. Later it may only grow along
 * its axes (more seeds, another b); anything else would mix trials trained under different
 * settings.
 */
export async function settleGrid(
  sweepDir: string,
  given: SweepGrid | undefined,
): Promise<SweepGrid> {
  const path = gridPath(sweepDir);
  if (!existsSync(path)) {
    if (given === undefined) {
      throw new Error(`${sweepDir} has no grid.json yet: pass --grid grid.json to start the sweep`);
    }
    mkdirSync(sweepDir, { recursive: true });
    await writeJsonAtomic(path, given);
    return given;
  }
  const saved = readSweepGrid(sweepDir);
  if (given === undefined) return saved;
  const change = gridChange(saved, given);
  if (change !== undefined) {
    throw new Error(
      `${sweepDir} was started with another grid (${path}): ${change}. Use a new --out, or leave out --grid to continue the saved one`,
    );
  }
  await writeJsonAtomic(path, given);
  return given;
}

export type TrialState = 'done' | 'running elsewhere' | 'resume' | 'new';

/** Where a trial stands: its result, a live run lock (another process runs it), or its files. */
export async function trialState(sweepDir: string, id: string): Promise<TrialState> {
  if (readTrialResult(sweepDir, id)) return 'done';
  const dir = trialDir(sweepDir, id);
  if ((await RunLock.holder(dir)) !== undefined) return 'running elsewhere';
  return (await runStep(dir)) !== undefined || existsSync(join(dir, 'trained.json'))
    ? 'resume'
    : 'new';
}
