/**
 * `--device cuda` where the CUDA provider is not installed (the workspace's onnxruntime-node, as
 * pnpm installs it here: no install script, so no provider libraries) must fail loudly through the
 * `ns` binary, naming what is missing, and never train or sample on the CPU instead.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';

const cli = join(dirname(require.resolve('ns/package.json')), 'dist', 'main.js');
const ortDir = dirname(createRequire(require.resolve('@ns/graph')).resolve('onnxruntime-node'));
const providerInstalled = existsSync(
  join(ortDir, '..', 'bin', 'napi-v6', 'linux', 'x64', 'libonnxruntime_providers_shared.so'),
);
const work = mkdtempSync(join(tmpdir(), 'ns-cuda-missing-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));
const ns = (...args: string[]) =>
  spawnSync(process.execPath, [cli, ...args], { cwd: work, encoding: 'utf8', timeout: 120_000 });

const HINT =
  "ns: openSession: the 'cuda' execution provider is unavailable (OrtSessionOptionsAppendExecutionProvider_Cuda: Failed to load shared library). The CUDA execution provider needs libonnxruntime_providers_cuda.so and libonnxruntime_providers_shared.so";

(providerInstalled ? test.skip : test)(
  'ns train and ns sample --device cuda exit 1 naming the provider libraries; nothing runs on the CPU',
  () => {
    const train = ns(
      'train',
      '-p',
      'tiny',
      '-d',
      'emoji',
      '-n',
      '2',
      '-b',
      '4',
      '-o',
      'gpu',
      '--device',
      'cuda',
      '-q',
    );
    expect(train.status).toBe(1);
    expect(train.stdout).toBe('');
    expect(train.stderr).toContain(HINT);
    // A first start that failed before its first step leaves no run behind, so the same command
    // (or one with --device cpu) can simply be run again.
    expect(existsSync(join(work, 'gpu', 'config.json'))).toBe(false);
    expect(existsSync(join(work, 'gpu', 'checkpoints'))).toBe(false);

    const cpu = ns(
      'train',
      '-p',
      'tiny',
      '-d',
      'emoji',
      '-n',
      '1',
      '-b',
      '4',
      '-o',
      'cpu',
      '--threads',
      '1',
      '-q',
    );
    expect([cpu.status, cpu.stderr]).toEqual([0, '']);
    const sample = ns(
      'sample',
      '-r',
      'cpu',
      '-n',
      '2',
      '--steps',
      '2',
      '-b',
      '2',
      '--device',
      'cuda',
    );
    expect(sample.status).toBe(1);
    expect(sample.stderr).toContain(HINT);
    expect(existsSync(join(work, 'cpu', 'samples', 'grid.png'))).toBe(false);
  },
  180_000,
);
