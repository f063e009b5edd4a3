// Lock-step child processes for fair alternation. Each side of a comparison is a child that warms
// up, prints {"ready":true}, then answers every `step` line with {"seconds","cpuSeconds"} and
// `quit` with {"maxRssMb"}. The parent stops (SIGSTOP) every child that is not being timed: an
// idle thread pool that busy-waits (ORT's with spinning on, libgomp's with OMP_WAIT_POLICY=ACTIVE,
// OpenBLAS's) would otherwise take a core from the side being timed, which no real user of either
// library suffers. Python children use stepper.py beside this file.
//
//   const s = await startStepper({ label: 'torch', command, args, env });  // warmed up, stopped
//   const times = await s.steps(3);  // [{ seconds, cpuSeconds }, …], stopped again afterwards
//   const { maxRssMb } = await s.quit();
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { createInterface } from 'node:readline';

// Children still alive, killed when the bench exits: a stopped child would never see its stdin
// close and would linger stopped after an error or Ctrl-C.
const alive = new Set();
let cleanupInstalled = false;
function track(child) {
  if (!cleanupInstalled) {
    cleanupInstalled = true;
    process.on('exit', () => {
      for (const c of alive) c.kill('SIGKILL');
    });
    for (const sig of ['SIGINT', 'SIGTERM']) process.once(sig, () => process.exit(130));
  }
  alive.add(child);
  child.on('close', () => alive.delete(child));
}

/**
 * Starts one child, waits for its warm-up to finish and stops it. `env` entries whose value is
 * `undefined` are removed from the inherited environment (e.g. OMP_WAIT_POLICY for "unset").
 * `autogroupNice` (e.g. -20, needs root) starts the child in a session of its own and sets that
 * scheduler autogroup's nice value: on a machine other users keep busy this comes closest to
 * giving the child the cores (with autogroups, plain `nice` ranks a process only within its own
 * session).
 */
export async function startStepper({ label, command, args, env = {}, autogroupNice }) {
  const merged = { ...process.env };
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete merged[k];
    else merged[k] = String(v);
  }
  const own = autogroupNice !== undefined;
  const child = own
    ? spawn('setsid', [command, ...args], { env: merged, stdio: ['pipe', 'pipe', 'pipe'] })
    : spawn(command, args, { env: merged, stdio: ['pipe', 'pipe', 'pipe'] });
  track(child);
  const stderr = [];
  createInterface({ input: child.stderr }).on('line', (l) => {
    stderr.push(l);
    if (stderr.length > 20) stderr.shift();
  });
  const lines = createInterface({ input: child.stdout })[Symbol.asyncIterator]();
  const exited = new Promise((resolve) => child.on('close', (code) => resolve(code)));
  const spawnError = new Promise((resolve) => child.on('error', (e) => resolve(e)));
  const read = async () => {
    const next = await Promise.race([lines.next(), spawnError.then((e) => ({ error: e }))]);
    if (next.error) throw new Error(`${label}: cannot start ${command} (${next.error.message})`);
    if (next.done) {
      const code = await exited;
      const why = stderr.filter((l) => l.trim()).at(-1) ?? 'no message';
      throw new Error(`${label}: ${command} exited with code ${code} (${why.trim()})`);
    }
    try {
      return JSON.parse(next.value);
    } catch {
      return read(); // a library's stray stdout line
    }
  };
  const first = await read();
  if (!first.ready)
    throw new Error(`${label}: expected {"ready":true}, got ${JSON.stringify(first)}`);
  // Only now: before `setsid` has run, the pid would still be in this process's autogroup.
  if (own) writeFileSync(`/proc/${child.pid}/autogroup`, String(autogroupNice));
  child.kill('SIGSTOP');
  return {
    label,
    pid: child.pid,
    /** Runs n timed steps with the child running, then stops it again. */
    async steps(n) {
      child.kill('SIGCONT');
      const out = [];
      for (let i = 0; i < n; i++) {
        child.stdin.write('step\n');
        out.push(await read());
      }
      child.kill('SIGSTOP');
      return out;
    },
    /** Resumes the child for good (e.g. to run it beside another one) and returns a stop hook. */
    resume() {
      child.kill('SIGCONT');
      return () => child.kill('SIGSTOP');
    },
    async quit() {
      child.kill('SIGCONT');
      child.stdin.write('quit\n');
      const last = await read();
      child.stdin.end();
      await exited;
      return last;
    },
    kill() {
      child.kill('SIGCONT');
      child.kill('SIGKILL');
    },
  };
}

/**
 * The child side, for Node children: `warmup` untimed steps, then the protocol on stdin/stdout.
 * CPU time is process-wide (all threads), so a pool that spins shows up in it.
 */
export async function serveSteps(step, { warmup = 2 } = {}) {
  for (let i = 0; i < warmup; i++) await step();
  process.stdout.write('{"ready":true}\n');
  for await (const line of createInterface({ input: process.stdin })) {
    const cmd = line.trim();
    if (cmd === 'step') {
      const cpu0 = process.cpuUsage();
      const t0 = process.hrtime.bigint();
      await step();
      const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
      const cpu = process.cpuUsage(cpu0);
      process.stdout.write(
        `${JSON.stringify({ seconds, cpuSeconds: (cpu.user + cpu.system) / 1e6 })}\n`,
      );
    } else if (cmd === 'quit') {
      process.stdout.write(
        `${JSON.stringify({ maxRssMb: process.resourceUsage().maxRSS / 1024 })}\n`,
      );
      break;
    }
  }
}

/** Median of a non-empty list. */
export function median(xs) {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}
