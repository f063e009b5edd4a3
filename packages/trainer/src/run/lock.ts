/**
 * One writer per run: a lease in `lock.json`, created with O_EXCL, holding the writer's pid, host,
 * start time and a heartbeat refreshed while it works. Another process that finds the file:
 *   - same host, holder's pid gone (or a zombie) → the lock is stale: it takes it over, saying so;
 *   - another host (or another boot or pid namespace of this host name: a container, a reboot),
 *     heartbeat older than the lease → the holder is presumed lost: taken over;
 *   - otherwise → refused with one line naming the holder.
 * A holder that finds its lease taken over (it was presumed lost) stops: `lost` tells it.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync, readlinkSync } from 'node:fs';
import { mkdir, open, readFile, rename, rm, stat } from 'node:fs/promises';
import { hostname } from 'node:os';
import { TrainerError } from '../errors.js';
import { describeSystemError, hasCode, withSystemErrors } from '../system-errors.js';
import { runPath } from './layout.js';

export interface LockHolder {
  readonly pid: number;
  readonly host: string;
  readonly startedAt: string;
  readonly heartbeatAt: string;
  /** What the holder is doing (e.g. `ns train`). */
  readonly purpose: string;
  /**
   * Which process-id space `pid` belongs to: the boot and the pid namespace (Linux). Two
   * containers may share a host name (a Kubernetes Indexed Job's replacement pod) and a machine
   * keeps its name across reboots, but neither shares pids; absent in older locks.
   */
  readonly pidSpace?: string;
  /** Identifies this lease among takeovers. */
  readonly token: string;
}

export interface LockOptions {
  readonly purpose?: string;
  /** A holder on another host whose heartbeat is older than this is presumed lost (default 120 s). */
  readonly leaseSeconds?: number;
  /** How often the heartbeat is refreshed (default a quarter of the lease). */
  readonly heartbeatSeconds?: number;
  /** Told when a stale lock is taken over. */
  readonly onNotice?: (message: string) => void;
}

/** This process's pid space (see LockHolder.pidSpace), or undefined where /proc has none. */
export function pidSpace(): string | undefined {
  try {
    const boot = readFileSync('/proc/sys/kernel/random/boot_id', 'utf8').trim();
    return `${boot}/${readlinkSync('/proc/self/ns/pid')}`;
  } catch {
    return undefined;
  }
}

/** Can this process judge `holder`'s pid, i.e. is it in the same pid space on the same host? */
function sharesPids(holder: LockHolder): boolean {
  if (holder.host !== hostname()) return false;
  const mine = pidSpace();
  return holder.pidSpace === undefined || mine === undefined || holder.pidSpace === mine;
}

/** Is `pid` a running process on this host? Zombies (killed, not yet reaped) are not. */
export function isProcessAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (error) {
    return hasCode(error, 'EPERM');
  }
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return true; // no /proc (macOS): trust signal 0
  }
}

async function readHolder(path: string): Promise<LockHolder | undefined> {
  try {
    const holder = JSON.parse(await readFile(path, 'utf8')) as LockHolder;
    return typeof holder.pid === 'number' && typeof holder.host === 'string' ? holder : undefined;
  } catch {
    return undefined; // vanished, or half written by a holder that died at creation
  }
}

const describe = (h: LockHolder) =>
  `process ${h.pid} on ${h.host} (${h.purpose}, since ${h.startedAt})`;

export class RunLock {
  private timer: NodeJS.Timeout | undefined;
  private lostTo: LockHolder | undefined;
  private released = false;

  private constructor(
    readonly dir: string,
    private holder: LockHolder,
    private readonly heartbeatMs: number,
  ) {}

  /** Takes the lock of run folder `dir` (creating the folder) or throws TrainerError('run_locked'). */
  static async acquire(dir: string, options: LockOptions = {}): Promise<RunLock> {
    const leaseMs = (options.leaseSeconds ?? 120) * 1000;
    const heartbeatMs = (options.heartbeatSeconds ?? leaseMs / 4000) * 1000;
    const path = runPath(dir, 'lock');
    await withSystemErrors(dir, 'cannot create the run folder', () =>
      mkdir(dir, { recursive: true }),
    );
    for (let attempt = 0; attempt < 5; attempt++) {
      const now = new Date().toISOString();
      const holder: LockHolder = {
        pid: process.pid,
        host: hostname(),
        ...(pidSpace() === undefined ? {} : { pidSpace: pidSpace() }),
        startedAt: now,
        heartbeatAt: now,
        purpose: options.purpose ?? 'training',
        token: randomBytes(8).toString('hex'),
      };
      try {
        const handle = await open(path, 'wx');
        try {
          await handle.writeFile(`${JSON.stringify(holder, null, 2)}\n`);
          await handle.sync();
        } finally {
          await handle.close();
        }
        const lock = new RunLock(dir, holder, heartbeatMs);
        lock.startHeartbeat();
        return lock;
      } catch (error) {
        if (!hasCode(error, 'EEXIST'))
          throw describeSystemError(error, path, 'cannot take the run lock');
      }
      const current = await readHolder(path);
      const stale = await RunLock.staleness(path, current, leaseMs);
      if (stale === undefined) {
        const who =
          current === undefined ? 'a process that is taking the lock now' : describe(current);
        throw new TrainerError(
          'run_locked',
          `${dir} is in use by ${who}; wait for it to finish or stop it (lock: ${path})`,
          { path },
        );
      }
      // Move the stale lock aside atomically: of several processes taking over, one wins the
      // rename and the others retry (and then find the winner's live lock).
      const aside = `${path}.${randomBytes(4).toString('hex')}.stale`;
      try {
        await rename(path, aside);
      } catch (error) {
        if (hasCode(error, 'ENOENT')) continue;
        throw error;
      }
      await rm(aside, { force: true });
      options.onNotice?.(`${dir}: took over the lock of ${stale}`);
    }
    throw new TrainerError('run_locked', `${dir}: could not take the run lock (${path})`, { path });
  }

  /** The live holder of `dir`'s lock, or undefined when it is free or stale. */
  static async holder(dir: string, leaseSeconds = 120): Promise<LockHolder | undefined> {
    const path = runPath(dir, 'lock');
    const current = await readHolder(path);
    if (current === undefined) return undefined;
    return (await RunLock.staleness(path, current, leaseSeconds * 1000)) === undefined
      ? current
      : undefined;
  }

  /** Why the lock at `path` may be taken over, or undefined when its holder is alive. */
  private static async staleness(
    path: string,
    holder: LockHolder | undefined,
    leaseMs: number,
  ): Promise<string | undefined> {
    if (holder === undefined) {
      // Unreadable: a holder that died between creating and writing it, or one writing it now.
      const age = await stat(path).then(
        (s) => Date.now() - s.mtimeMs,
        () => Number.POSITIVE_INFINITY,
      );
      return age > 5000 ? 'an unreadable lock file left by a crashed process' : undefined;
    }
    if (sharesPids(holder)) {
      if (holder.pid === process.pid) return undefined; // this process already holds it
      return isProcessAlive(holder.pid)
        ? undefined
        : `${describe(holder)}, which is no longer running`;
    }
    const age = Date.now() - Date.parse(holder.heartbeatAt);
    return age > leaseMs
      ? `${describe(holder)}, whose last heartbeat was ${Math.round(age / 1000)} s ago`
      : undefined;
  }

  /** The process another host took the lease over to, when this holder was presumed lost. */
  get lost(): LockHolder | undefined {
    return this.lostTo;
  }

  /** Refreshes the heartbeat now (also done on a timer); notices a takeover. */
  async refresh(): Promise<void> {
    if (this.released || this.lostTo) return;
    const path = runPath(this.dir, 'lock');
    const current = await readHolder(path);
    if (current?.token !== this.holder.token) {
      this.lostTo = current ?? this.holder;
      this.stopHeartbeat();
      return;
    }
    this.holder = { ...this.holder, heartbeatAt: new Date().toISOString() };
    const temporary = `${path}.${this.holder.token}.tmp`;
    const handle = await open(temporary, 'w');
    try {
      await handle.writeFile(`${JSON.stringify(this.holder, null, 2)}\n`);
    } finally {
      await handle.close();
    }
    await rename(temporary, path);
  }

  private startHeartbeat(): void {
    this.timer = setInterval(() => {
      this.refresh().catch(() => undefined); // a failed refresh is retried next beat
    }, this.heartbeatMs);
    this.timer.unref();
  }

  private stopHeartbeat(): void {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
  }

  /** Gives the lock up (only if still ours). */
  async release(): Promise<void> {
    if (this.released) return;
    this.released = true;
    this.stopHeartbeat();
    const path = runPath(this.dir, 'lock');
    const current = await readHolder(path);
    if (current?.token === this.holder.token) await rm(path, { force: true });
  }
}
