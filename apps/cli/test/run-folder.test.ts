/**
 * Runs you can trust, through the built `ns` binary on real files: one writer per run folder, no
 * silent overwrite, resume from the run alone, every stop signal checkpoints (exit 3), nothing
 * non-finite is published, leftovers and cut metrics lines are tidied, a full disk and damaged
 * checkpoints are named with the intact one to use, raw system errors become sentences, and a
 * batch that cannot fit is refused before anything is allocated.
 */
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const exec = promisify(execFile);
const bin = join(__dirname, '..', 'dist', 'main.js');
const temp = () => mkdtempSync(join(tmpdir(), 'ns-run-'));

interface Outcome {
  code: number;
  stdout: string;
  stderr: string;
}

async function ns(...args: string[]): Promise<Outcome> {
  try {
    const { stdout, stderr } = await exec(process.execPath, [bin, ...args], {
      encoding: 'utf8',
      maxBuffer: 1 << 24,
    });
    return { code: 0, stdout, stderr };
  } catch (e) {
    const error = e as { code: number; stdout: string; stderr: string };
    return { code: error.code, stdout: error.stdout, stderr: error.stderr };
  }
}

/** A tiny RIN on 256 MNIST digits: a step takes milliseconds. */
const TINY = ['--preset', 'tiny', '--data', 'mnist', '--limit', '256', '--batch', '8'];
const train = (out: string, ...more: string[]) =>
  ns('train', ...TINY, '--out', out, '--threads', '1', '--quiet', ...more);

const metricsSteps = (run: string) =>
  readFileSync(join(run, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .filter((l) => l !== '')
    .map((l) => JSON.parse(l).step as number);
const latest = (run: string) => readFileSync(join(run, 'checkpoints', 'LATEST'), 'utf8').trim();
const checkpointNames = (run: string) =>
  readdirSync(join(run, 'checkpoints')).filter((n) => n.startsWith('step-'));

/** A long training run in the background, resolved once it has logged `steps` steps. */
async function startTraining(
  run: string,
  steps = 3,
  batch = '8',
): Promise<{ child: ChildProcess; exit: Promise<number | null>; stderr: () => string }> {
  const child = spawn(process.execPath, [
    bin,
    'train',
    ...TINY.slice(0, -1),
    batch,
    '--steps',
    '100000',
    '--checkpoint-every',
    '100000',
    '--out',
    run,
    '--threads',
    '1',
    '--quiet',
  ]);
  let stderr = '';
  child.stderr!.on('data', (chunk) => {
    stderr += chunk;
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
  const deadline = Date.now() + 90_000;
  while (!(existsSync(join(run, 'metrics.jsonl')) && metricsSteps(run).length >= steps)) {
    if (Date.now() > deadline) throw new Error(`no progress: ${stderr}`);
    await new Promise((r) => setTimeout(r, 25));
  }
  return { child, exit, stderr: () => stderr };
}

describe('one writer per run', () => {
  it('refuses a second writer at once, naming the holder, and writes nothing', async () => {
    const run = join(temp(), 'run');
    const first = await startTraining(run);
    const before = readFileSync(join(run, 'config.json'));
    const second = await train(run, '--resume');
    expect(second.code).toBe(1);
    expect(second.stderr.trim()).toBe(
      `ns: ${run} is in use by process ${first.child.pid} on ${hostname()} (training, since ${JSON.parse(readFileSync(join(run, 'lock.json'), 'utf8')).startedAt}); wait for it to finish or stop it (lock: ${join(run, 'lock.json')})`,
    );
    expect(readFileSync(join(run, 'config.json'))).toEqual(before);
    first.child.kill('SIGKILL');
    await first.exit;
    // The killed holder's lock is stale: the next writer takes it over and says so.
    const resumed = await train(run, '--resume', '--steps', '100000', '--stop-after', '1');
    expect(resumed.code).toBe(0);
    expect(resumed.stderr).toContain(
      `took over the lock of process ${first.child.pid} on ${hostname()}`,
    );
    expect(existsSync(join(run, 'lock.json'))).toBe(false);
  });
});

describe('no silent overwrite', () => {
  it('refuses a folder that holds a run; --overwrite removes its checkpoints, metrics and samples first', async () => {
    const run = join(temp(), 'run');
    expect((await train(run, '--steps', '4', '--checkpoint-every', '2')).code).toBe(0);
    expect((await ns('sample', '--run', run, '--n', '2', '--steps', '2', '-q')).code).toBe(0);
    const again = await train(run, '--steps', '3');
    expect(again.code).toBe(1);
    expect(again.stderr.trim()).toBe(
      `ns: ${run} already holds a run at step 4: pass --resume to continue it, or --overwrite to start over`,
    );
    const fresh = await train(run, '--steps', '3', '--overwrite', '--checkpoint-every', '10');
    expect(fresh.code).toBe(0);
    expect(fresh.stderr).toContain('removed the run that was at step 4 (--overwrite)');
    expect(metricsSteps(run)).toEqual([1, 2, 3]);
    expect(checkpointNames(run).sort()).toEqual(['step-00000000', 'step-00000003']);
    expect(existsSync(join(run, 'samples'))).toBe(false);
  });
});

describe('resume from the run alone', () => {
  it('needs no other flag, refuses differing settings, extends with a larger --steps only', async () => {
    const run = join(temp(), 'run');
    expect((await train(run, '--steps', '4', '--lr', '0.002')).code).toBe(0);
    const differ = await ns('train', '--resume', '--out', run, '--lr', '0.5', '--batch', '16');
    expect(differ.code).toBe(1);
    expect(differ.stderr).toContain('--batch: saved 8, given 16');
    expect(differ.stderr).toContain('--lr: saved 0.002, given 0.5');
    const lower = await ns('train', '--resume', '--out', run, '--steps', '3');
    expect(lower.code).toBe(1);
    expect(lower.stderr).toContain("--steps 3 is not beyond the run's current step 4");
    expect(JSON.parse(readFileSync(join(run, 'config.json'), 'utf8')).steps).toBe(4);
    const extended = await ns(
      'train',
      '--resume',
      '--out',
      run,
      '--steps',
      '6',
      '--threads',
      '2',
      '--device',
      'cpu',
      '-q',
    );
    expect(extended.code).toBe(0);
    expect(extended.stderr).toMatch(
      /extending the run from 4 to 6 steps: the learning-rate schedule \(cosine@0\.7\) is laid out over the new total/,
    );
    expect(metricsSteps(run)).toEqual([1, 2, 3, 4, 5, 6]);
    const done = await ns('train', '--resume', '--out', run, '-q');
    expect(done).toMatchObject({ code: 0, stdout: `run: ${run} (step 6)\n` });
  });
});

describe('signals', () => {
  it.each([
    'SIGINT',
    'SIGTERM',
    'SIGHUP',
  ] as const)('%s checkpoints the current step and exits 3; the run resumes', async (signal) => {
    const run = join(temp(), 'run');
    const training = await startTraining(run);
    training.child.kill(signal);
    expect(await training.exit).toBe(3);
    const steps = metricsSteps(run);
    expect(latest(run)).toBe(`step-${String(steps.at(-1)).padStart(8, '0')}`);
    expect(training.stderr()).toContain(`${signal}: stopping after this step`);
    expect(training.stderr()).toContain(`continue with \`ns train --resume --out ${run}\``);
    const resumed = await ns(
      'train',
      '--resume',
      '--out',
      run,
      '--stop-after',
      String(steps.at(-1)! + 2),
      '-q',
    );
    expect(resumed.code).toBe(0);
    expect(metricsSteps(run)).toEqual(Array.from({ length: steps.length + 2 }, (_, i) => i + 1));
  });

  it('a second signal exits at once with 130', async () => {
    const run = join(temp(), 'run');
    // Big batches: the step the first signal waits for is long enough for a second one.
    const training = await startTraining(run, 1, '1024');
    training.child.kill('SIGTERM');
    const deadline = Date.now() + 30_000;
    while (!training.stderr().includes('stopping after this step')) {
      if (Date.now() > deadline) throw new Error('the first signal was not acknowledged');
      await new Promise((r) => setTimeout(r, 10));
    }
    training.child.kill('SIGTERM');
    expect(await training.exit).toBe(130);
  });
});

describe('nothing non-finite is published', () => {
  it('stops on a NaN loss naming the step and the last intact checkpoint', async () => {
    const run = join(temp(), 'run');
    const result = await train(
      run,
      '--steps',
      '50',
      '--lr',
      '1e30',
      '--warmup',
      '0',
      '--checkpoint-every',
      '50',
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(
      /^ns: loss became (NaN|-?Infinity) at step \d+; nothing of this step was saved, and the only checkpoint is the initial one/,
    );
    expect(latest(run)).toBe('step-00000000');
  });

  it('refuses a learning rate beyond float32 when parsing', async () => {
    const result = await train(join(temp(), 'run'), '--steps', '2', '--lr', '1e39');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/--lr.*3\.4e38/);
  });

  it('ns sample refuses non-finite weights instead of writing black images', async () => {
    const run = join(temp(), 'run');
    expect((await train(run, '--steps', '2')).code).toBe(0);
    const dir = join(run, 'checkpoints', latest(run));
    poisonWeights(join(dir, 'ema.safetensors'), join(dir, 'state.json'));
    const result = await ns('sample', '--run', run, '--n', '2', '--steps', '2', '-q');
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/EMA weight '.*'\[0\] = NaN/);
    expect(existsSync(join(run, 'samples', 'grid.png'))).toBe(false);
  });
});

/** Sets the first float of a safetensors file to NaN, keeping state.json's size and sha256 true. */
function poisonWeights(file: string, statePath: string): void {
  const bytes = readFileSync(file);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  bytes.writeFloatLE(Number.NaN, 8 + headerLength);
  writeFileSync(file, bytes);
  const state = JSON.parse(readFileSync(statePath, 'utf8'));
  const name = file.split('/').pop()!;
  state.files[name].sha256 = createHash('sha256').update(bytes).digest('hex');
  writeFileSync(statePath, JSON.stringify(state));
}

describe('leftovers and full disks', () => {
  it('removes temp files of interrupted writes and drops a half-written last metrics line', async () => {
    const run = join(temp(), 'run');
    expect((await train(run, '--steps', '3')).code).toBe(0);
    mkdirSync(join(run, 'checkpoints', '.step-00000009.4242.tmp'));
    writeFileSync(join(run, 'checkpoints', '.LATEST.1a2b3c4d.tmp'), 'step-0000');
    writeFileSync(join(run, '.metrics.jsonl.5e6f7a8b.tmp'), '{"step"');
    appendFileSync(join(run, 'metrics.jsonl'), '{"step":4,"loss":0.3');
    const resumed = await ns('train', '--resume', '--out', run, '--steps', '4', '-q');
    expect(resumed.code).toBe(0);
    for (const leftover of ['.step-00000009.4242.tmp', '.LATEST.1a2b3c4d.tmp'])
      expect(resumed.stderr).toContain(
        `${join(run, 'checkpoints', leftover)}: removed the leftover`,
      );
    expect(resumed.stderr).toContain('.metrics.jsonl.5e6f7a8b.tmp: removed the leftover');
    expect(resumed.stderr).toMatch(/metrics\.jsonl: dropped a half-written last line/);
    expect(readdirSync(join(run, 'checkpoints')).filter((n) => n.endsWith('.tmp'))).toEqual([]);
    expect(metricsSteps(run)).toEqual([1, 2, 3, 4]);
  });

  /** A small tmpfs is a real full disk; mounting one needs root (CI runs as root). */
  const canMount = (() => {
    if (process.getuid?.() !== 0) return false;
    const probe = mkdtempSync(join(tmpdir(), 'ns-m-'));
    const mounted =
      spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=1m', 'tmpfs', probe]).status === 0;
    if (mounted) spawnSync('umount', [probe]);
    return mounted;
  })();
  if (!canMount) console.warn('skipping the ENOSPC test: mounting a tmpfs needs root');
  (canMount ? it : it.skip)(
    'ENOSPC during a checkpoint keeps the previous one published, names the disk, and --resume works once space is freed',
    async () => {
      const disk = mkdtempSync(join(tmpdir(), 'ns-disk-'));
      expect(spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=2600k', 'tmpfs', disk]).status).toBe(0);
      try {
        const run = join(disk, 'run');
        const full = await train(run, '--steps', '12', '--checkpoint-every', '2');
        expect(full.code).toBe(1);
        expect(full.stderr).toMatch(
          new RegExp(
            `^ns: no space left on the disk that holds ${run}: the checkpoint of step (\\d+) was not written; step-\\d{8} is intact`,
          ),
        );
        const intact = latest(run);
        expect(readdirSync(join(run, 'checkpoints')).filter((n) => n.endsWith('.tmp'))).toEqual([]);
        expect(spawnSync('mount', ['-o', 'remount,size=16m', disk]).status).toBe(0);
        const resumed = await ns('train', '--resume', '--out', run, '-q');
        expect(resumed.code).toBe(0);
        expect(resumed.stderr).not.toContain('damaged');
        expect(Number(intact.slice(5))).toBeLessThan(12);
        expect(latest(run)).toBe('step-00000012');
      } finally {
        spawnSync('umount', [disk]);
      }
    },
  );
});

describe('damaged checkpoints are named, and the intact one offered', () => {
  it('--resume and ns sample name the damaged file and the newest intact checkpoint; --from-checkpoint uses it', async () => {
    const run = join(temp(), 'run');
    expect((await train(run, '--steps', '4', '--checkpoint-every', '2')).code).toBe(0);
    const damaged = join(run, 'checkpoints', 'step-00000004', 'model.safetensors');
    writeFileSync(damaged, readFileSync(damaged).subarray(0, 1000));
    const message = `the latest checkpoint step-00000004 is damaged (${damaged} has 1000 bytes`;
    const resume = await ns('train', '--resume', '--out', run, '-q');
    expect(resume.code).toBe(1);
    expect(resume.stderr).toContain(message);
    expect(resume.stderr).toContain(
      'the newest intact checkpoint is step-00000002: pass --from-checkpoint step-00000002',
    );
    const ema = join(run, 'checkpoints', 'step-00000004', 'ema.safetensors');
    writeFileSync(ema, readFileSync(ema).subarray(0, 1000));
    const sample = await ns('sample', '--run', run, '--n', '2', '--steps', '2', '-q');
    expect(sample.code).toBe(1);
    expect(sample.stderr).toContain('--from-checkpoint step-00000002');
    const fromIntact = await ns(
      'sample',
      '--run',
      run,
      '--n',
      '2',
      '--steps',
      '2',
      '-q',
      '--from-checkpoint',
      'step-00000002',
    );
    expect(fromIntact.code).toBe(0);
    expect(fromIntact.stdout).toContain('2 images from step-00000002');
    const continued = await ns(
      'train',
      '--resume',
      '--out',
      run,
      '--from-checkpoint',
      'step-00000002',
      '-q',
    );
    expect(continued.code).toBe(0);
    expect(latest(run)).toBe('step-00000004');
  });

  it('refuses declared shapes that disagree with the model (a [100000, 100000] header over the bytes)', async () => {
    const run = join(temp(), 'run');
    expect((await train(run, '--steps', '2')).code).toBe(0);
    const dir = join(run, 'checkpoints', latest(run));
    const file = join(dir, 'ema.safetensors');
    const bytes = readFileSync(file);
    const n = Number(bytes.readBigUInt64LE(0));
    const header = JSON.parse(bytes.subarray(8, 8 + n).toString('utf8'));
    // Swap the dims of a matrix: the same byte count (so the file is well formed), another shape.
    const name = Object.keys(header).find(
      (k) => header[k].shape?.length === 2 && header[k].shape[0] !== header[k].shape[1],
    )!;
    header[name].shape = [...header[name].shape].reverse();
    Buffer.from(JSON.stringify(header).padEnd(n, ' ')).copy(bytes, 8);
    writeFileSync(file, bytes);
    const state = JSON.parse(readFileSync(join(dir, 'state.json'), 'utf8'));
    state.files['ema.safetensors'].sha256 = createHash('sha256').update(bytes).digest('hex');
    writeFileSync(join(dir, 'state.json'), JSON.stringify(state));
    const sample = await ns('sample', '--run', run, '--n', '2', '--steps', '2', '-q');
    expect(sample.code).toBe(1);
    expect(sample.stderr).toContain(
      `tensor '${name}' has shape [${header[name].shape.join(', ')}], the model declares [${[...header[name].shape].reverse().join(', ')}]`,
    );
  });
});

describe('raw system errors become sentences', () => {
  it('ENOENT, EEXIST/ENOTDIR and an oversized batch are one line naming the path or the setting', async () => {
    const missing = await train(
      join(temp(), 'run'),
      '--steps',
      '2',
      '--init-from',
      '/nonexistent/w.safetensors',
    );
    expect(missing.stderr.trim()).toBe(
      'ns: --init-from: /nonexistent/w.safetensors does not exist',
    );
    const file = join(temp(), 'a-file');
    writeFileSync(file, 'x');
    const notDir = await train(join(file, 'run'), '--steps', '2');
    expect(notDir.code).toBe(1);
    expect(notDir.stderr.split('\n').filter(Boolean)).toHaveLength(1);
    expect(notDir.stderr).toContain(file);
    expect(notDir.stderr).not.toMatch(/^\s+at /m);
    const huge = await ns(
      'train',
      ...TINY.slice(0, -2),
      '--batch',
      '50000000',
      '--steps',
      '2',
      '--out',
      join(temp(), 'run'),
    );
    expect(huge.code).toBe(1);
    expect(huge.stderr).toMatch(
      /^ns: a training step at --batch 50000000 needs about [\d.]+ GiB \(estimated from the training graph\), more than this machine's [\d.]+ GiB; the largest batch that fits is about \d+/,
    );
    rmSync(file);
  });
});

describe('the EMA of short runs', () => {
  it('warms up by default, and warns when it is turned off for a run shorter than its memory', async () => {
    const run = join(temp(), 'run');
    const warmed = await train(run, '--steps', '2');
    expect(warmed.stderr).not.toContain('warning');
    expect(JSON.parse(readFileSync(join(run, 'config.json'), 'utf8')).emaWarmup).toBe(true);
    const cold = await train(join(temp(), 'run'), '--steps', '2', '--no-ema-warmup');
    expect(cold.stderr).toContain(
      'warning: with --no-ema-warmup and --ema 0.9999, 100 % of the EMA weights after 2 steps are still the initialisation',
    );
  });
});
