/**
 * `ns fid` on inputs that are not what they claim, through the built binary on real files: a
 * covariance that is not one (−I, asymmetric) is refused naming the file, fewer samples than
 * dimensions warn with the rank, and a damaged .npz, .npy or PNG is one line naming the file.
 */
import { execFile } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { writeFidStats, writeNpy } from '@ns/eval-fid';

const run = promisify(execFile);
const bin = join(__dirname, '..', 'dist', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'ns-fid-inputs-'));
const at = (name: string) => join(dir, name);
const fid = (...args: string[]) =>
  run(process.execPath, [bin, 'fid', ...args], { encoding: 'utf8', cwd: dir });
const refusal = (...args: string[]) =>
  fid(...args).then(
    () => {
      throw new Error(`ns fid ${args.join(' ')} succeeded`);
    },
    (error: { code: number; stderr: string }) => error,
  );

const d = 4;
const identity = (scale: number) => {
  const sigma = new Float64Array(d * d);
  for (let i = 0; i < d; i++) sigma[i * d + i] = scale;
  return sigma;
};
/** Features of `rows` samples in general position (a fixed LCG, so the rank is full when it can be). */
function features(rows: number, dim: number): Float32Array {
  const out = new Float32Array(rows * dim);
  let state = 12345;
  for (let i = 0; i < out.length; i++) {
    state = (Math.imul(state, 1103515245) + 12345) >>> 0;
    out[i] = state / 2 ** 32 - 0.5;
  }
  return out;
}

beforeAll(() => {
  writeFidStats(at('good.npz'), { dim: d, mu: new Float64Array(d), sigma: identity(1) });
  writeFidStats(at('minus-identity.npz'), { dim: d, mu: new Float64Array(d), sigma: identity(-1) });
  const asymmetric = identity(1);
  asymmetric[1] = 0.5;
  writeFidStats(at('asymmetric.npz'), { dim: d, mu: new Float64Array(d), sigma: asymmetric });
  writeNpy(at('few.npy'), { shape: [3, 8], data: features(3, 8) });
  writeNpy(at('many.npy'), { shape: [200, 8], data: features(200, 8) });
  writeNpy(at('few300.npy'), { shape: [100, 300], data: features(100, 300) });
  writeNpy(at('many300.npy'), {
    shape: [1000, 300],
    data: features(1000, 300).map((v) => v * 1.1),
  });
  const npz = readFileSync(at('good.npz'));
  writeFileSync(at('cut.npz'), npz.subarray(0, npz.length - 40));
  writeFileSync(at('cut.npy'), readFileSync(at('many.npy')).subarray(0, 100));
  mkdirSync(at('pngs'));
  const signature = Uint8Array.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  writeFileSync(at('pngs/cut.png'), Buffer.concat([signature, Buffer.from([0, 0, 0, 13])]));
});

it('refuses −I and an asymmetric sigma, naming the file (−I used to give FID 0.34, exit 0)', async () => {
  const negative = await refusal('good.npz', 'minus-identity.npz');
  expect(negative.code).toBe(1);
  expect(negative.stderr).toMatch(
    /^ns: minus-identity\.npz: expected a positive semi-definite covariance, got one with negative eigenvalues \(.*\)\n$/,
  );
  const asymmetric = await refusal('asymmetric.npz', 'good.npz');
  expect(asymmetric.stderr).toBe(
    'ns: asymmetric.npz: expected a symmetric covariance (|Σᵢⱼ − Σⱼᵢ| ≤ 1e-6·max|Σₖₖ| = 1.00e-6), got Σ[1,0] = 0 but Σ[0,1] = 0.5\n',
  );
});

it('warns with the rank when a side has fewer samples than dimensions', async () => {
  const { stdout, stderr } = await fid('few.npy', 'many.npy');
  expect(stderr).toBe(
    'ns fid: warning: few.npy: 3 samples for 8 dimensions: the covariance is singular (numerical rank 2 of 8), so the distance is between degenerate Gaussians and depends strongly on N; use more samples than dimensions\n',
  );
  expect(stdout).toMatch(/^FID \d+\.\d+ {2}\(D=8, N_A=3, N_B=200\)\n$/);
});

// 300-d takes the two-stage eigensolver; with the fewer samples first, its QL step used to stop
// with "QL iteration did not converge" (a cluster of zero eigenvalues under large ones).
it.each([
  [[]],
  [['--ort']],
])('fewer samples than dimensions first, at 300-d %j: the distance either way', async (extra) => {
  const forward = await fid('few300.npy', 'many300.npy', '--json', ...extra);
  const backward = await fid('many300.npy', 'few300.npy', '--json', ...extra);
  expect(forward.stderr).toMatch(
    /few300\.npy: 100 samples for 300 dimensions: .*numerical rank 99 of 300/,
  );
  const a = JSON.parse(forward.stdout).fid as number;
  const b = JSON.parse(backward.stdout).fid as number;
  expect(a).toBeGreaterThan(0);
  expect(Math.abs(a - b)).toBeLessThan(1e-6 * b);
});

it.each([
  ['cut.npz', /^ns: cut\.npz: truncated zip\/\.npz: .*\n$/],
  [
    'cut.npy',
    /^ns: cut\.npy: truncated \.npy header: it declares \d+ bytes, the file has \d+ after the length field\n$/,
  ],
  ['pngs', /^ns: pngs\/cut\.png: .*\n$/],
])('names the damaged file %s in one line', async (name, message) => {
  const e = await refusal(name, 'many.npy');
  expect(e.code).toBe(1);
  expect(e.stderr).toMatch(message);
});
