/**
 * Every bench under tools/bench, run once at a tiny size with its real peer (PyTorch from Debian's
 * python3-torch, numpy), as `pnpm bench:*` runs it. The numbers mean nothing at this size; what is
 * tested is that each bench still starts, alternates its sides and prints its closing lines, so
 * that a peer broken by a change (bench:rin's torch peer once referenced a variable a merge had
 * renamed, and died before its first round) fails here, not for the next person who measures.
 * Without torch the torch benches skip here and fail in CI (CI=1), which installs it.
 */
import { execFile, spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const root = join(__dirname, '..', '..', '..', '..');
const hasTorch =
  spawnSync(process.env.PYTHON ?? '/usr/bin/python3', ['-c', 'import torch']).status === 0;
const needsTorch = hasTorch || process.env.CI === '1' ? test : test.skip;

/** Runs a bench as `node tools/bench/<path>`, with a tiny GEMM-peak matrix; its stdout. */
async function bench(path: string, args: string[], env: Record<string, string> = {}) {
  const { stdout } = await run(process.execPath, [join(root, 'tools', 'bench', path), ...args], {
    cwd: root,
    encoding: 'utf8',
    env: { ...process.env, BENCH_PEAK_SIZE: '256', ...env },
    maxBuffer: 16 << 20,
  });
  return stdout;
}

const peakLines = /GEMM peak \(float32, numpy 256², \d threads?.*\): \d+ GFLOP\/s/;

needsTorch(
  'bench:graph: one transformer block against PyTorch, passive mode, 1 thread',
  async () => {
    const out = await bench('graph/bench.mjs', [
      ...['--B', '2', '--T', '8', '--D', '32', '--H', '2'],
      ...['--threads', '1', '--modes', 'passive', '--rounds', '1', '--steps', '1', '--warmup', '1'],
    ]);
    expect(out).toMatch(/ratio ours\/torch \(median of rounds\): 1t passive \d+\.\d+/);
    expect(out).toMatch(peakLines);
  },
  120_000,
);

needsTorch(
  'bench:rin: the trainer’s RIN step against the PyTorch RIN, tiny preset',
  async () => {
    const out = await bench('rin/bench.mjs', [], {
      PRESET: 'tiny',
      BATCH: '2',
      THREADS: '1',
      MODES: 'passive',
      ROUNDS: '1',
      STEPS: '1',
      WARMUP: '1',
    });
    expect(out).toMatch(/ratio ours\/torch \(median of rounds\): 1t passive \d+\.\d+/);
    expect(out).toMatch(peakLines);
  },
  120_000,
);

test('bench:fid: the same algorithm in numpy, agreeing to 1e-6', async () => {
  const out = await bench('fid/bench.mjs', [
    ...['--n', '600', '--dim', '64', '--rounds', '1', '--threads', '1', '--no-sqrtm'],
  ]);
  expect(out).toMatch(/^FID ours .* relative diff .* ok \(≤ 1e-6\)/m);
  expect(out.trimEnd().split('\n').at(-1)).toMatch(/^ratio ours\/numpy: \d+\.\d+$/);
}, 120_000);

test('bench:sampler: the shipped mnist model, outside the network', async () => {
  const out = await bench('sampler/bench.mjs', [], {
    BATCH: '2',
    STEPS: '3',
    ROUNDS: '1',
    THREADS: '1',
  });
  expect(out).toMatch(/^outside the network: \d+\.\d+ % of the step$/m);
  expect(out).toMatch(peakLines);
}, 120_000);

test('bench:schedules: vectorised γ(t) against numpy', async () => {
  const out = await bench('schedules/bench.mjs', [], { N: '20000', ROUNDS: '1' });
  expect(out).toMatch(/^ratio ours\/numpy \(median over cases\): \d+\.\d+$/m);
  expect(out).toMatch(peakLines);
}, 120_000);
