/**
 * The layout of a sweep folder, which is the whole state of a sweep:
 *   grid.json                 the grid as run (defaults filled)
 *   reference/r<res>.npz      feature statistics of the held-out images per resolution
 *   trials/<id>/              an ordinary run directory per trial, plus
 *     lock.json               the pid running it (a dead pid is a crashed trial)
 *     trained.json            training reached the budget
 *     result.json             the trial's measured distance (TrialResult)
 *     log.txt                 what the trial process printed, across attempts
 */
import { existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { writeFileAtomic } from '@ns/trainer';
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
  return parseGrid(JSON.parse(readFileSync(path, 'utf8')));
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

/** A trial's lock holds the pid of the process running it; a dead pid is a crashed trial. */
function lockPath(sweepDir: string, id: string): string {
  return join(trialDir(sweepDir, id), 'lock.json');
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A killed process whose parent died too stays a zombie until something reaps it (containers
  // often have no init that does): it answers signal 0 but runs nothing.
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (macOS): trust signal 0
  }
}

function lockHolder(sweepDir: string, id: string): number | undefined {
  const path = lockPath(sweepDir, id);
  if (!existsSync(path)) return undefined;
  const { pid } = JSON.parse(readFileSync(path, 'utf8')) as { pid: number };
  return isAlive(pid) ? pid : undefined;
}

/** Takes the trial's lock for this process; throws when a live process holds it. */
export async function lockTrial(sweepDir: string, id: string): Promise<() => void> {
  const holder = lockHolder(sweepDir, id);
  if (holder !== undefined && holder !== process.pid) {
    throw new Error(`trial ${id} is being run by process ${holder}`);
  }
  mkdirSync(trialDir(sweepDir, id), { recursive: true });
  await writeJsonAtomic(lockPath(sweepDir, id), {
    pid: process.pid,
    since: new Date().toISOString(),
  });
  return () => rmSync(lockPath(sweepDir, id), { force: true });
}

export function trialState(sweepDir: string, id: string): TrialState {
  if (readTrialResult(sweepDir, id)) return 'done';
  if (lockHolder(sweepDir, id) !== undefined) return 'running elsewhere';
  const dir = trialDir(sweepDir, id);
  return existsSync(join(dir, 'checkpoints', 'LATEST')) || existsSync(join(dir, 'trained.json'))
    ? 'resume'
    : 'new';
}
