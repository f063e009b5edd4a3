/**
 * Starting trial-process.js: the one way a local sweep and a queue worker run a trial phase, so
 * a trial on a worker runs exactly as it would in the local pool.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { closeSync, mkdirSync, openSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Device } from '@ns/graph';
import { trialDir } from './folder.js';
import { formatPhase } from './phase.js';
import type { TrialPhase } from './trial.js';

/** dist/trial-process.js, built beside this module. */
const TRIAL_PROCESS = join(__dirname, 'trial-process.js');

export interface TrialProcessOptions {
  readonly sweepDir: string;
  readonly trialId: string;
  readonly threads: number;
  readonly device: Device;
  readonly spinning: boolean;
  readonly phase?: TrialPhase;
  /**
   * The command to run, before `<sweepDir> <trialId> --threads …` (default: this package's
   * trial-process.js under the running Node).
   */
  readonly command?: readonly string[];
}

export interface TrialProcess {
  readonly child: ChildProcess;
  /** The exit status, or null when a signal ended it. */
  readonly exit: Promise<number | null>;
}

/**
 * Starts one trial phase with its output appended to the trial's log.txt (a resumed trial keeps
 * what happened before). The child holds an IPC channel: when this process dies, the child
 * checkpoints and stops instead of running on, orphaned, with the run's lock.
 */
export function startTrialProcess(o: TrialProcessOptions): TrialProcess {
  const dir = trialDir(o.sweepDir, o.trialId);
  mkdirSync(dir, { recursive: true });
  const log = openSync(join(dir, 'log.txt'), 'a');
  const [command, ...prefix] = o.command ?? [process.execPath, TRIAL_PROCESS];
  const args = [...prefix, o.sweepDir, o.trialId, '--threads', String(o.threads)];
  args.push('--device', o.device, '--spinning', o.spinning ? 'on' : 'off');
  if (o.phase !== undefined) args.push('--phase', formatPhase(o.phase));
  const child = spawn(command!, args, { stdio: ['ignore', log, log, 'ipc'] });
  closeSync(log);
  const exit = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('exit', (code) => resolve(code));
  });
  return { child, exit };
}

/** The message of the trial's last failure (`trial: …` in log.txt), if it logged one. */
export function lastTrialError(sweepDir: string, trialId: string): string | undefined {
  let text: string;
  try {
    text = readFileSync(join(trialDir(sweepDir, trialId), 'log.txt'), 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.trimEnd().split('\n');
  for (let i = lines.length - 1; i >= 0; i--)
    if (lines[i]!.startsWith('trial: ')) return lines[i]!.slice('trial: '.length);
  return undefined;
}
