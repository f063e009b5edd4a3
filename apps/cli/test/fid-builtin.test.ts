/**
 * `ns fid` with what it knows: the built-in mnist extractor on real MNIST images (FD_mnist),
 * built-in data set names as a side with their statistics cached per user, the extractor chosen
 * for grey square images, and label agreement for labelled samples. Through the built binary.
 */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { loadDataset, resizeDataset, sliceDataset, writeAdmNpz } from '@ns/data';

const run = promisify(execFile);
const bin = join(__dirname, '..', 'dist', 'main.js');
const dir = mkdtempSync(join(tmpdir(), 'ns-fd-'));
const cache = join(dir, 'cache');
const ns = (...args: string[]) =>
  run(process.execPath, [bin, 'fid', ...args], {
    encoding: 'utf8',
    env: { ...process.env, NS_CACHE_DIR: cache },
  });
const json = async (...args: string[]) => {
  const { stdout, stderr } = await ns(...args, '--json');
  return { report: JSON.parse(stdout) as Record<string, number>, stderr };
};

it('ranks real digits closer to real digits than to noise', async () => {
  const test = loadDataset('mnist-test');
  const a = sliceDataset(test, 0, 400);
  const b = sliceDataset(test, 400, 800);
  writeAdmNpz(join(dir, 'a.npz'), a, a.labels);
  writeAdmNpz(join(dir, 'b.npz'), b, b.labels);
  const noise = { ...b, images: b.images.map((_, i) => (i * 2654435761) % 251) };
  writeAdmNpz(join(dir, 'noise.npz'), noise);
  const fd = async (x: string, y: string) =>
    (await json(join(dir, x), join(dir, y), '--features', 'mnist')).report;
  const same = await fd('a.npz', 'b.npz');
  expect(Object.keys(same)).toContain('FD_mnist');
  expect(Object.keys(same)).not.toContain('fid');
  const far = await fd('a.npz', 'noise.npz');
  expect(same['FD_mnist']!).toBeGreaterThan(0);
  expect(far['FD_mnist']!).toBeGreaterThan(20 * same['FD_mnist']!);
  await expect(
    ns(join(dir, 'a.npz'), join(dir, 'b.npz'), '--features', 'cifar'),
  ).rejects.toMatchObject({
    stderr: expect.stringMatching(/no built-in extractor 'cifar' \(available: mnist\)/),
  });
});

describe('ns fid mnist-test samples.npz', () => {
  // "Samples": 500 real training digits with their labels, as `ns sample` writes a
  // class-conditional run (arr_0 images, arr_1 labels).
  const train = sliceDataset(loadDataset('mnist'), 0, 500);
  const samples = join(dir, 'samples.npz');
  writeAdmNpz(samples, train, train.labels);

  it('picks the mnist extractor itself, caches the reference, reports label agreement', async () => {
    const first = await json('mnist-test', samples, '--limit', '2000');
    expect(first.stderr).toMatch(
      /the images are grey and square \(28×28×1\), MNIST-like: using the built-in mnist extractor \(distance FD_mnist, not FID/,
    );
    expect(first.stderr).toMatch(/mnist-test: extracting features of 2000 images/);
    expect(first.stderr).toMatch(
      /mnist-test: statistics cached in .*mnist-test-2000x28px-legacy_pytorch-a80fdaa8505bb4a5\.npz/,
    );
    const { report } = first;
    expect([report['n_a'], report['n_b'], report['dim']]).toEqual([2000, 500, 128]);
    expect(report['FD_mnist']).toBeGreaterThan(0);
    expect(report['FD_mnist']).toBeLessThan(10); // real digits against real digits
    // True labels of real digits: the classifier agrees confidently for most (0.93 on the test set).
    expect(report['label_agreement']).toBeGreaterThan(0.85);
    expect(report['reference_label_agreement']).toBeGreaterThan(0.85);
    expect(report['label_threshold']).toBe(0.9);

    // Second run: the reference comes from the cache, with the same numbers.
    const second = await json('mnist-test', samples, '--limit', '2000');
    expect(second.stderr).toMatch(/mnist-test: statistics of 2000 images from the cache/);
    expect(second.stderr).not.toMatch(/extracting/);
    expect(second.report).toEqual(report);
    expect(readdirSync(join(cache, 'fid'))).toEqual([
      'mnist-test-2000x28px-legacy_pytorch-a80fdaa8505bb4a5.npz',
    ]);

    // Text output names the metric and the label agreement of both sides.
    const { stdout } = await ns('mnist-test', samples, '--limit', '2000');
    expect(stdout).toMatch(/^FD_mnist \d+\.\d+ +\(D=128, N_A=2000, N_B=500\)/);
    expect(stdout).toMatch(
      /label agreement: B 0\.\d{4}, A 0\.\d{4} \(fraction classified as their own label with p ≥ 0\.9\)/,
    );
  });

  it('wrong labels do not agree; samples without labels report none', async () => {
    const shifted = Int32Array.from(train.labels!, (l) => (l + 1) % 10);
    writeAdmNpz(join(dir, 'shifted.npz'), train, shifted);
    writeAdmNpz(join(dir, 'unlabelled.npz'), train);
    const wrong = (await json('mnist-test', join(dir, 'shifted.npz'), '--limit', '2000')).report;
    expect(wrong['label_agreement']).toBeLessThan(0.05);
    const none = (await json('mnist-test', join(dir, 'unlabelled.npz'), '--limit', '2000')).report;
    expect(none['label_agreement']).toBeUndefined();
    expect(none['FD_mnist']).toBeCloseTo(wrong['FD_mnist']!, 10); // same images, same distance
  });

  it('grey square images of another size are area-resampled to 28×28 (MNIST-like)', async () => {
    const big = resizeDataset(train, 56, 'bilinear');
    writeAdmNpz(join(dir, 'big.npz'), big, big.labels);
    const { report, stderr } = await json('mnist-test', join(dir, 'big.npz'), '--limit', '2000');
    expect(stderr).toMatch(/grey and square \(28×28×1 and 56×56×1\), MNIST-like/);
    expect(report['FD_mnist']).toBeLessThan(20);
    expect(report['label_agreement']).toBeGreaterThan(0.8);
  });

  it('a damaged cache file is reported and rewritten; --no-cache neither reads nor writes', async () => {
    const path = join(cache, 'fid', 'mnist-test-2000x28px-legacy_pytorch-a80fdaa8505bb4a5.npz');
    writeFileSync(path, 'not an npz');
    const { report, stderr } = await json('mnist-test', samples, '--limit', '2000');
    expect(stderr).toMatch(
      /ignoring the cached statistics \(.*not a zip\/\.npz archive.*\); recomputing/,
    );
    expect(stderr).toMatch(/statistics cached in/);
    expect(report['n_a']).toBe(2000);
    const fresh = await json('mnist-test', samples, '--limit', '1000', '--no-cache');
    expect(fresh.stderr).not.toMatch(/cache/);
    expect(
      existsSync(join(cache, 'fid', 'mnist-test-1000x28px-legacy_pytorch-a80fdaa8505bb4a5.npz')),
    ).toBe(false);
  });

  it('colour images are not MNIST-like: the error says which extractor to pass', async () => {
    const emoji = sliceDataset(loadDataset('emoji'), 0, 20);
    writeAdmNpz(join(dir, 'emoji.npz'), emoji);
    await expect(ns('mnist-test', join(dir, 'emoji.npz'))).rejects.toMatchObject({
      stderr: expect.stringMatching(
        /emoji\.npz: holds 32×32×3 images, which need a feature extractor: pass --model <file\.onnx> and --mode <legacy_pytorch\|clean> \(the FID Inception\), or --features mnist/,
      ),
    });
  });
});
