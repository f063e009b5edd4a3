/**
 * The bundle that travels to the GPU machine runs the CPU path on its own: the CLI bundled by
 * prepare.mjs, started from a folder outside the workspace with a bare environment (no workspace
 * node_modules on any path), trains the tiny preset and samples from it; `--device cuda` fails
 * loudly instead of falling back to the CPU.
 *   quick   prepare.mjs --quick (esbuild + the workspace's onnxruntime-node), this machine's node
 *   full    the prepared chunks (tools/bench/gpu/out/, from `node src/prepare.mjs`) unpacked by
 *           unpack.py as on the device, with the Node.js binary and onnxruntime-node they carry;
 *           skipped, saying so, when out/ was not prepared
 */
import { type SpawnSyncReturns, spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const pkg = join(__dirname, '..');
const repo = join(pkg, '..', '..', '..');
const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) rmSync(d, { recursive: true, force: true });
});
const tmp = (prefix: string) => {
  const d = mkdtempSync(join(tmpdir(), prefix));
  dirs.push(d);
  return d;
};
const bareEnv = { PATH: '/usr/bin:/bin', HOME: tmpdir(), LANG: 'C.UTF-8' };

function run(node: string, args: string[], cwd: string): SpawnSyncReturns<string> {
  return spawnSync(node, args, { cwd, env: bareEnv, encoding: 'utf8', timeout: 180_000 });
}
const explain = (r: SpawnSyncReturns<string>) => `exit ${r.status}\n${r.stdout}\n${r.stderr}`;

/** Train 3 tiny steps and sample 4 images with `node main.mjs` from `bundle`, in a fresh folder. */
function trainAndSample(node: string, bundle: string): void {
  const work = tmp('ns-bundle-run-');
  const main = join(bundle, 'main.mjs');
  const train = run(
    node,
    [
      main,
      'train',
      '-p',
      'tiny',
      '-d',
      'emoji',
      '-n',
      '3',
      '-b',
      '4',
      '-o',
      'run',
      '--device',
      'cpu',
      '--threads',
      '1',
      '-q',
    ],
    work,
  );
  expect([train.status, explain(train)]).toEqual([0, expect.any(String)]);
  expect(train.stdout).toContain('run: run (step 3)');
  const losses = readFileSync(join(work, 'run', 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => (JSON.parse(l) as { loss: number }).loss);
  expect(losses).toHaveLength(3);
  for (const l of losses) expect(Number.isFinite(l) && l > 0).toBe(true);

  const sample = run(
    node,
    [main, 'sample', '-r', 'run', '-n', '4', '--steps', '4', '-b', '4', '--threads', '1'],
    work,
  );
  expect([sample.status, explain(sample)]).toEqual([0, expect.any(String)]);
  const png = readFileSync(join(work, 'run', 'samples', 'grid.png'));
  expect([...png.subarray(0, 8)]).toEqual([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  expect(existsSync(join(work, 'run', 'samples', 'samples.npz'))).toBe(true);
}

/** `--device cuda` with no usable provider: exit 1, a message naming it, and no training step. */
function cudaFailsLoudly(node: string, bundle: string, missing: string): void {
  const work = tmp('ns-bundle-cuda-');
  const r = run(
    node,
    [
      join(bundle, 'main.mjs'),
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
      'run',
      '--device',
      'cuda',
      '-q',
    ],
    work,
  );
  expect(r.status).toBe(1);
  expect(r.stderr).toContain("ns: openSession: the 'cuda' execution provider is unavailable");
  expect(r.stderr).toContain(missing);
  expect(existsSync(join(work, 'run', 'config.json'))).toBe(false); // no run left behind
}

test('quick bundle (esbuild + workspace onnxruntime-node) trains and samples from outside the workspace', () => {
  const bundle = tmp('ns-bundle-quick-');
  const prep = spawnSync(
    process.execPath,
    [join(pkg, 'src', 'prepare.mjs'), '--quick', '--out', bundle],
    {
      encoding: 'utf8',
    },
  );
  expect([prep.status, prep.stderr]).toEqual([0, expect.stringContaining('quick bundle in')]);
  trainAndSample(process.execPath, bundle);
  cudaFailsLoudly(process.execPath, bundle, 'libonnxruntime_providers_shared.so');
}, 240_000);

const manifest = join(pkg, 'out', 'manifest.json');
const prepared = existsSync(manifest);
(prepared ? test : test.skip)(
  'prepared chunks unpack as on the device; their node and onnxruntime-node run the CPU path',
  () => {
    const dest = tmp('ns-bundle-full-');
    const unpack = spawnSync(
      'python3',
      [join(pkg, 'src', 'unpack.py'), 'extract', manifest, dest],
      {
        cwd: repo,
        encoding: 'utf8',
      },
    );
    expect([unpack.status, explain(unpack)]).toEqual([0, expect.any(String)]);
    cpSync(join(pkg, 'out', 'bundle'), dest, { recursive: true });
    const node = join(dest, 'bin', 'node');
    const m = JSON.parse(readFileSync(manifest, 'utf8')) as { pins: { ortNode: string } };
    const ortPackage = JSON.parse(
      readFileSync(join(dest, 'node_modules', 'onnxruntime-node', 'package.json'), 'utf8'),
    ) as { version: string };
    expect(ortPackage.version).toBe(m.pins.ortNode);
    trainAndSample(node, dest);
    // The provider is there; what it lacks on a machine without a GPU is CUDA itself.
    cudaFailsLoudly(node, dest, 'libcublasLt.so.13');
  },
  600_000,
);
beforeAll(() => {
  if (!prepared)
    console.log(
      'bundle.test: tools/bench/gpu/out/manifest.json not found, so the prepared-bundle test is skipped; `node tools/bench/gpu/src/prepare.mjs` prepares it',
    );
});
