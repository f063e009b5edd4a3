/** `ns fid --features mnist`: the built-in extractor on real MNIST images, reported as FD_mnist. */
import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadDataset, sliceDataset, writeAdmNpz } from '@ns/data';

const run = promisify(execFile);
const bin = join(__dirname, '..', 'dist', 'main.js');

it('ranks real digits closer to real digits than to noise', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ns-fd-'));
  const test = loadDataset('mnist-test');
  const a = sliceDataset(test, 0, 400);
  const b = sliceDataset(test, 400, 800);
  writeAdmNpz(join(dir, 'a.npz'), a, a.labels);
  writeAdmNpz(join(dir, 'b.npz'), b, b.labels);
  const noise = { ...b, images: b.images.map((_, i) => (i * 2654435761) % 251) };
  writeAdmNpz(join(dir, 'noise.npz'), noise);
  const fd = async (x: string, y: string) => {
    const { stdout } = await run(process.execPath, [
      bin,
      'fid',
      join(dir, x),
      join(dir, y),
      '--features',
      'mnist',
      '--json',
    ]);
    return JSON.parse(stdout) as Record<string, number>;
  };
  const same = await fd('a.npz', 'b.npz');
  expect(Object.keys(same)).toContain('FD_mnist');
  expect(Object.keys(same)).not.toContain('fid');
  const far = await fd('a.npz', 'noise.npz');
  expect(same['FD_mnist']!).toBeGreaterThan(0);
  expect(far['FD_mnist']!).toBeGreaterThan(20 * same['FD_mnist']!);
  await expect(
    run(process.execPath, [
      bin,
      'fid',
      join(dir, 'a.npz'),
      join(dir, 'b.npz'),
      '--features',
      'cifar',
    ]),
  ).rejects.toMatchObject({
    stderr: expect.stringMatching(/no built-in extractor 'cifar' \(available: mnist\)/),
  });
});
