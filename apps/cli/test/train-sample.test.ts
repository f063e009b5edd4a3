/**
 * End to end through the built `ns` binary: train 30 steps (loss falls), sample 4 images (the PNG
 * decodes), Ctrl-C checkpoints and exits cleanly, and `ns demo` runs on a small budget.
 */
import { execFile, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { decodePng } from '@ns/data';
import { FeatureMoments, readMoments } from '@ns/eval-fid';

const run = promisify(execFile);
const bin = join(__dirname, '..', 'dist', 'main.js');
const ns = (...args: string[]) =>
  run(process.execPath, [bin, ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
const temp = () => mkdtempSync(join(tmpdir(), 'ns-cli-'));
const mean = (xs: number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('ns train → ns sample', () => {
  const runDir = join(temp(), 'run');

  it('trains 30 steps and the loss falls', async () => {
    const { stdout } = await ns(
      'train',
      '--preset',
      'tiny',
      '--data',
      'mnist',
      '--limit',
      '512',
      '--steps',
      '30',
      '--batch',
      '16',
      '--out',
      runDir,
      '--checkpoint-every',
      '10',
      '--threads',
      '2',
      '--quiet',
    );
    expect(stdout).toContain('(step 30)');
    const losses = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l).loss as number);
    expect(losses).toHaveLength(30);
    expect(mean(losses.slice(-5))).toBeLessThan(mean(losses.slice(0, 5)));
    const config = JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8'));
    expect(config.model.rin).toMatchObject({ imageSize: 28, channels: 1, numClasses: 10 });
    expect(config.schedule).toBe('simple_linear');
    expect(decodePng(readFileSync(join(runDir, 'loss.png'))).width).toBeGreaterThan(500);
    expect(readFileSync(join(runDir, 'loss.svg'), 'utf8')).toContain('training loss');
  });

  it('samples 4 images into a decodable PNG grid, PNGs and an ADM .npz', async () => {
    const out = join(runDir, 'samples');
    const { stdout } = await ns(
      'sample',
      '--run',
      runDir,
      '--n',
      '4',
      '--steps',
      '5',
      '--out',
      out,
      '--threads',
      '2',
      '--label',
      '3',
    );
    expect(stdout).toContain(join(out, 'grid.png'));
    const grid = decodePng(readFileSync(join(out, 'grid.png')));
    expect(grid.width).toBe(2 * 28 + 3 * 2);
    for (let i = 0; i < 4; i++)
      expect(decodePng(readFileSync(join(out, 'images', `00000${i}.png`))).height).toBe(28);
    expect(existsSync(join(out, 'samples.npz'))).toBe(true);
  });

  it('writes shards with feature moments that merge to the unsharded statistics', async () => {
    const out = join(runDir, 'moments');
    const sample = (...extra: string[]) =>
      ns(
        'sample',
        '--run',
        runDir,
        '--n',
        '12',
        '--batch',
        '4',
        '--steps',
        '3',
        '--out',
        out,
        '--features',
        'mnist',
        '--threads',
        '2',
        '-q',
        ...extra,
      );
    const whole = await sample();
    expect(whole.stdout).toContain(
      `moments: ${join(out, 'moments.npz')} (FD_mnist features of 12 images;`,
    );
    const merged = new FeatureMoments(readMoments(join(out, 'moments.npz')).dim);
    for (let i = 0; i < 3; i++) {
      await sample('--shard', `${i}/3`);
      const shard = readMoments(join(`${out}-shard-${i}-of-3`, 'moments.npz'));
      expect(shard.count).toBe(4);
      merged.merge(shard);
    }
    const expected = FeatureMoments.fromSnapshot(
      readMoments(join(out, 'moments.npz')),
    ).statistics();
    const got = merged.statistics();
    const relative = (a: ArrayLike<number>, b: ArrayLike<number>) => {
      let diff = 0;
      let norm = 0;
      for (let i = 0; i < a.length; i++) {
        diff = Math.max(diff, Math.abs(a[i]! - b[i]!));
        norm = Math.max(norm, Math.abs(b[i]!));
      }
      return diff / norm;
    };
    expect(relative(got.mu, expected.mu)).toBeLessThan(1e-12);
    expect(relative(got.sigma, expected.sigma)).toBeLessThan(1e-12);
    await expect(sample('--features', 'nope')).rejects.toMatchObject({
      stderr: expect.stringMatching(
        /^ns: features: no built-in extractor 'nope' \(available: .*mnist.*\)\n$/,
      ),
    });
  });
  it('fails clearly on a bad preset or data set', async () => {
    await expect(
      ns('train', '--preset', 'huge', '--data', 'mnist', '--steps', '1', '--out', temp()),
    ).rejects.toMatchObject({
      stderr: expect.stringMatching(/preset/i),
    });
    await expect(
      ns('train', '--preset', 'tiny', '--data', '/nonexistent', '--steps', '1', '--out', temp()),
    ).rejects.toMatchObject({
      stderr: expect.stringMatching(/nonexistent/),
    });
    await expect(
      ns(
        'train',
        '--preset',
        'tiny',
        '--data',
        'mnist',
        '--steps',
        '9',
        '--out',
        temp(),
        '--sample-every',
        '5',
        '--checkpoint-every',
        '2',
      ),
    ).rejects.toMatchObject({
      stderr: expect.stringMatching(
        /--sample-every \(5\) must be a multiple of --checkpoint-every \(2\)/,
      ),
    });
    await expect(ns('sample', '--run', temp())).rejects.toMatchObject({
      stderr: expect.stringMatching(/is not a run folder \(no config\.json\)/),
    });
  });
});

describe('Ctrl-C during ns train', () => {
  it('saves a checkpoint, exits 3 (interrupted, resumable) and resumes', async () => {
    const runDir = join(temp(), 'run');
    const child = spawn(process.execPath, [
      bin,
      'train',
      '--preset',
      'tiny',
      '--data',
      'mnist',
      '--limit',
      '256',
      '--steps',
      '10000',
      '--batch',
      '8',
      '--out',
      runDir,
      '--threads',
      '1',
    ]);
    let stderr = '';
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    // Interrupt once a few steps have been logged.
    const deadline = Date.now() + 60_000;
    while (
      !(
        existsSync(join(runDir, 'metrics.jsonl')) &&
        readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').split('\n').length > 4
      )
    ) {
      if (Date.now() > deadline) throw new Error(`no progress: ${stderr}`);
      await new Promise((r) => setTimeout(r, 50));
    }
    child.kill('SIGINT');
    const code = await new Promise((resolve) => child.on('exit', resolve));
    expect(code).toBe(3);
    expect(stderr).toMatch(/continue with `ns train --resume --out /);
    const latest = readFileSync(join(runDir, 'checkpoints', 'LATEST'), 'utf8').trim();
    const stepsDone = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n').length;
    expect(latest).toBe(`step-${String(stepsDone).padStart(8, '0')}`);
    const { stdout } = await ns(
      'train',
      '--steps',
      String(stepsDone + 3),
      '--out',
      runDir,
      '--threads',
      '1',
      '--resume',
      '-q',
    );
    expect(stdout).toContain(`(step ${stepsDone + 3})`);
  });
});

describe('ns demo', () => {
  it('fine-tunes the shipped pretrained weights by default', async () => {
    const out = temp();
    const { stdout } = await ns(
      'demo',
      '--out',
      out,
      '--steps',
      '3',
      '--samples',
      '4',
      '--threads',
      '2',
    );
    expect(stdout).toMatch(/Starting from the shipped weights in .*pretrained\/mnist /);
    expect(decodePng(readFileSync(join(out, 'samples', 'grid.png'))).width).toBe(2 * 28 + 3 * 2);
  });

  it('trains, samples and prints where the grid is', async () => {
    const out = temp();
    const { stdout } = await ns(
      'demo',
      '--out',
      out,
      '--steps',
      '12',
      '--samples',
      '4',
      '--preset',
      'tiny',
      '--threads',
      '2',
    );
    const gridPath = join(out, 'samples', 'grid.png');
    expect(stdout).toContain(gridPath);
    expect(decodePng(readFileSync(gridPath)).width).toBeGreaterThan(28);
  });
});
