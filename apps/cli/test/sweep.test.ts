/**
 * `ns sweep` end to end through the built binary, on trials of a few steps: every cell becomes a
 * run directory with a measured result, trials run side by side, a second run skips them, and a
 * sweep killed with SIGKILL in the middle of a trial resumes it from its checkpoint.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodePng } from '@ns/data';

const run = promisify(execFile);
const bin = join(__dirname, '..', 'dist', 'main.js');
const ns = (...args: string[]) =>
  run(process.execPath, [bin, ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
const temp = () => mkdtempSync(join(tmpdir(), 'ns-sweep-'));
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
const metricSteps = (runDir: string) =>
  readFileSync(join(runDir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .filter((line) => line !== '')
    .map(
      (line) => JSON.parse(line) as { step: number; loss: number; stepTime: number; lr: number },
    );

const tinyGrid = {
  data: 'mnist',
  heldOut: 'mnist-test',
  limit: 256,
  preset: 'tiny',
  resolutions: [32, 16],
  patchSize: { '16': 4, '32': 8 },
  inputScales: [1, 0.5],
  seeds: [0],
  budget: { steps: 8 },
  train: { batch: 8, checkpointEvery: 4, warmup: 0 },
  eval: { samples: 16, reference: 64, steps: 4, batch: 16 },
};

/** Waits for a trial's first checkpoint past the initial one (step 0, written at creation). */
async function waitForCheckpoint(trial: string): Promise<void> {
  const latest = join(trial, 'checkpoints', 'LATEST');
  const deadline = Date.now() + 60_000;
  while (!existsSync(latest) || readFileSync(latest, 'utf8').trim() === 'step-00000000') {
    if (Date.now() > deadline) throw new Error(`${latest} named no trained step within a minute`);
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** A grid of one trial at `resolution` (patch size keeps 4×4 tokens), with `changes` applied. */
function oneTrialGrid(root: string, resolution: number, changes: object): string {
  const path = join(root, 'grid.json');
  const grid = {
    ...tinyGrid,
    resolutions: [resolution],
    patchSize: { [resolution]: resolution / 4 },
    inputScales: [1],
    ...changes,
  };
  writeFileSync(path, JSON.stringify(grid));
  return path;
}

describe('ns sweep', () => {
  const root = temp();
  const gridFile = join(root, 'grid.json');
  writeFileSync(gridFile, JSON.stringify(tinyGrid));
  const out = join(root, 'sweep');
  const trials = [
    'r16-simple_linear-b0.5-s0',
    'r16-simple_linear-b1-s0',
    'r32-simple_linear-b0.5-s0',
    'r32-simple_linear-b1-s0',
  ];

  it('runs every cell as a run directory, two at a time, and reports', async () => {
    const { stdout, stderr } = await ns(
      'sweep',
      '--grid',
      gridFile,
      '--out',
      out,
      '--jobs',
      '2',
      '--threads',
      '2',
    );
    expect(stdout).toBe(`report: ${join(out, 'report.md')} (4 trials)\n`);
    const lines = stderr.trim().split('\n');
    expect(lines[0]).toBe('4 trials: 0 done, 0 to resume, 4 new; 2 jobs × 1 thread');
    // One process per job at one thread each: no pool to spin, and the line says so.
    expect(lines[1]).toBe(
      'ORT thread spinning off: 1 intra-op thread per process, no thread pool to spin',
    );
    // The tiny preset's 32-d tokens are narrower than an 8×8 patch at 32 px, not a 4×4 at 16.
    expect(lines[2]).toBe(
      'warning: at 32×32 a 8×8 patch has 64 values but the interface tokens only 32 dimensions; the model cannot write its prediction back (raise model.interfaceDim or lower patchSize)',
    );
    // Two trials start before the first one finishes.
    expect(lines.slice(3, 5).every((line) => line.startsWith('start '))).toBe(true);
    expect(lines.filter((line) => /^\[\d\/4\] /.test(line))).toHaveLength(4);

    for (const id of trials) {
      const dir = join(out, 'trials', id);
      const config = readJson(join(dir, 'config.json'));
      const resolution = id.startsWith('r16') ? 16 : 32;
      expect(config.model.rin).toMatchObject({
        imageSize: resolution,
        patchSize: resolution / 4,
        channels: 1,
      });
      expect(config.inputScale).toBe(id.includes('-b0.5-') ? 0.5 : 1);
      expect(config.schedule).toBe('simple_linear');
      expect(metricSteps(dir).map((m) => m.step)).toEqual([1, 2, 3, 4, 5, 6, 7, 8]);
      const result = readJson(join(dir, 'result.json'));
      expect(result).toMatchObject({
        id,
        resolution,
        metric: 'FD_mnist',
        samples: 16,
        step: 8,
        seed: 0,
      });
      expect(result.value).toBeGreaterThan(0);
      expect(Number.isFinite(result.value)).toBe(true);
      const grid = decodePng(readFileSync(join(dir, 'eval', 'grid.png')));
      expect(grid.width).toBeGreaterThan(4 * resolution);
      expect(existsSync(join(dir, 'lock.json'))).toBe(false);
    }
    expect(existsSync(join(out, 'reference', 'r16.npz'))).toBe(true);
    const report = readFileSync(join(out, 'report.md'), 'utf8');
    expect(report).toContain('| b | 16×16 | 32×32 |');
    for (const id of trials) expect(report).toContain(`| ${id} |`);
    expect(decodePng(readFileSync(join(out, 'metric-vs-b.png'))).width).toBeGreaterThan(400);
    expect(readFileSync(join(out, 'logsnr.svg'), 'utf8')).toContain('b=0.5');
    // Rows b = 0.5, 1 × columns 16, 32 px of 4×4 samples at 64 px (1 px gaps), 8 px apart.
    const mosaic = decodePng(readFileSync(join(out, 'samples.png')));
    const block = 4 * 64 + 5;
    expect([mosaic.width, mosaic.height]).toEqual([2 * block + 3 * 8, 2 * block + 3 * 8]);
    expect(report).toContain('![samples, simple_linear](samples.png)');
  });

  it('skips finished trials when run again, and `sweep report` rewrites the report', async () => {
    const metrics = join(out, 'trials', trials[0]!, 'metrics.jsonl');
    const before = statSync(metrics).mtimeMs;
    const { stderr } = await ns('sweep', '--out', out, '--jobs', '2');
    expect(stderr).toContain('4 trials: 4 done, 0 to resume, 0 new');
    expect(stderr).not.toContain('start ');
    expect(statSync(metrics).mtimeMs).toBe(before);
    const { stdout } = await ns('sweep', 'report', out);
    expect(stdout).toBe(`report: ${join(out, 'report.md')} (4 trials)\n`);
  });

  it('names the grid file when it is missing or not JSON, and writes nothing', async () => {
    const broken = join(root, 'broken.json');
    writeFileSync(broken, '{ "data": ');
    const fresh = join(root, 'never');
    await expect(ns('sweep', '--grid', broken, '--out', fresh)).rejects.toMatchObject({
      stderr: expect.stringContaining(`ns: --grid ${broken}: not JSON (`),
    });
    await expect(
      ns('sweep', '--grid', join(root, 'nope.json'), '--out', fresh),
    ).rejects.toMatchObject({
      stderr: `ns: --grid ${join(root, 'nope.json')}: cannot read it (ENOENT)\n`,
    });
    const misspelt = join(root, 'misspelt.json');
    writeFileSync(misspelt, JSON.stringify({ ...tinyGrid, seed: [0] }));
    await expect(ns('sweep', '--grid', misspelt, '--out', fresh)).rejects.toMatchObject({
      stderr: `ns: --grid ${misspelt}: unknown key seed\n`,
    });
    expect(existsSync(fresh)).toBe(false);
  });

  it('refuses a changed grid for the same folder, naming the change', async () => {
    const changed = join(root, 'changed.json');
    writeFileSync(changed, JSON.stringify({ ...tinyGrid, train: { ...tinyGrid.train, lr: 1e-3 } }));
    await expect(ns('sweep', '--grid', changed, '--out', out)).rejects.toMatchObject({
      stderr: expect.stringContaining('was started with another grid'),
    });
  });
});

test('a minutes budget stops each trial once its step time is spent, at a constant learning rate', async () => {
  const root = temp();
  const gridFile = oneTrialGrid(root, 16, {
    budget: { minutes: 0.02 },
    train: { batch: 8, checkpointEvery: 1000, warmup: 0 },
  });
  const out = join(root, 'sweep');
  await ns('sweep', '--grid', gridFile, '--out', out, '--threads', '1');
  const trial = join(out, 'trials', 'r16-simple_linear-b1-s0');
  const result = readJson(join(trial, 'result.json'));
  const lines = metricSteps(trial);
  const stepSeconds = lines.reduce((sum, line) => sum + line.stepTime, 0);
  expect(result.step).toBe(lines.length);
  expect(result.trainSeconds).toBeCloseTo(stepSeconds, 6);
  // Stops at the first step that reaches 1.2 s, not before and not much after.
  expect(stepSeconds).toBeGreaterThanOrEqual(1.2);
  expect(stepSeconds - lines.at(-1)!.stepTime).toBeLessThan(1.2);
  expect(new Set(lines.map((line) => line.lr)).size).toBe(1);
  expect(readJson(join(trial, 'config.json')).steps).toBe(1_000_000);
});

describe('ns sweep after SIGKILL', () => {
  const root = temp();
  const gridFile = oneTrialGrid(root, 32, {
    budget: { steps: 150 },
    train: { batch: 8, checkpointEvery: 10, warmup: 0 },
  });
  const id = 'r32-simple_linear-b1-s0';

  /** Starts a sweep in its own process group and kills the group once a checkpoint exists. */
  async function killAfterFirstCheckpoint(out: string): Promise<number> {
    const child = spawn(
      process.execPath,
      [bin, 'sweep', '--grid', gridFile, '--out', out, '--threads', '1'],
      { detached: true, stdio: 'ignore' },
    );
    const latest = join(out, 'trials', id, 'checkpoints', 'LATEST');
    await waitForCheckpoint(join(out, 'trials', id));
    process.kill(-child.pid!, 'SIGKILL');
    await new Promise((resolve) => child.on('exit', resolve));
    return Number(/(\d+)/.exec(readFileSync(latest, 'utf8'))![1]);
  }

  it('passes SIGTERM on to the running trial, which checkpoints, unlocks and stops', async () => {
    const out = join(root, 'terminated');
    const child = spawn(process.execPath, [
      bin,
      'sweep',
      '--grid',
      gridFile,
      '--out',
      out,
      '--threads',
      '1',
    ]);
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += String(chunk);
    });
    const trial = join(out, 'trials', id);
    await waitForCheckpoint(trial);
    child.kill('SIGTERM');
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(3);
    expect(stderr).toContain('stopping: no new trials');
    expect(stderr).toContain(`1 unfinished (${id}); run the same command again to continue`);
    expect(readFileSync(join(trial, 'log.txt'), 'utf8')).toContain(
      'SIGINT: checkpointing and stopping',
    );
    expect(existsSync(join(trial, 'lock.json'))).toBe(false);
    // Stopped at a checkpoint of its own: every logged step is saved.
    const saved = Number(
      /(\d+)/.exec(readFileSync(join(trial, 'checkpoints', 'LATEST'), 'utf8'))![1],
    );
    expect(metricSteps(trial)).toHaveLength(saved);
    expect(saved).toBeLessThan(150);
  });

  it('resumes the killed trial from its checkpoint and ends as an uninterrupted one', async () => {
    const out = join(root, 'killed');
    const checkpointStep = await killAfterFirstCheckpoint(out);
    const trial = join(out, 'trials', id);
    expect(existsSync(join(trial, 'result.json'))).toBe(false);
    expect(existsSync(join(trial, 'lock.json'))).toBe(true); // left by the killed process
    const logged = metricSteps(trial).length;
    expect(checkpointStep).toBeGreaterThanOrEqual(10);
    expect(checkpointStep).toBeLessThan(150);

    const { stderr } = await ns('sweep', '--out', out, '--threads', '1');
    expect(stderr).toContain('1 trial: 0 done, 1 to resume, 0 new');
    const log = readFileSync(join(trial, 'log.txt'), 'utf8');
    expect(log).toContain('training from scratch');
    expect(log).toContain(`resuming from the checkpoint at step ${checkpointStep}`);
    expect(readJson(join(trial, 'result.json')).step).toBe(150);
    const resumed = metricSteps(trial);
    // Steps logged after the checkpoint but before the kill were dropped and trained again.
    expect(logged).toBeGreaterThanOrEqual(checkpointStep);
    expect(resumed.map((m) => m.step)).toEqual(Array.from({ length: 150 }, (_, i) => i + 1));

    // The same trial without the interruption: the data order, noise and weights are restored
    // exactly, so the losses after the resume are the same numbers.
    const clean = join(root, 'clean');
    await ns('sweep', '--grid', gridFile, '--out', clean, '--threads', '1');
    const uninterrupted = metricSteps(join(clean, 'trials', id));
    expect(resumed.map((m) => m.loss)).toEqual(uninterrupted.map((m) => m.loss));
  }, 240_000);
});
