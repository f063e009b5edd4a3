// PNG comes from @ns/formats, the one codec of the repository; re-exported for existing callers.
export {
  decodePng,
  encodePng,
  FormatError,
  isPng,
  type PngEncodeOptions,
  type PngFilter,
} from '@ns/formats';
export {
  type Batch,
  BatchIterator,
  type BatchIteratorState,
  type BatchOptions,
} from './batches.js';
export {
  createDataset,
  type Dataset,
  type DatasetFields,
  datasetImage,
  fromFloat32,
  imageSize,
  resizeDataset,
  sliceDataset,
  toFloat32,
} from './dataset.js';
export { decodeImage, readImage, writePng } from './image/files.js';
export { type GridOptions, type ImageBatch, imageGrid } from './image/grid.js';
export {
  type Channels,
  type Image,
  makeImage,
  type Rgb,
  toChannels,
  WHITE,
} from './image/image.js';
export { decodeJpeg, isJpeg } from './image/jpeg.js';
export {
  centerCrop,
  flipHorizontalInPlace,
  type ResizeMethod,
  resizeCenterCrop,
  resizeImage,
} from './image/resize.js';
export { builtinDir, loadEmoji, loadSpriteSheet, type SpriteSheetMeta } from './loaders/builtin.js';
export { type FolderOptions, loadImageFolder } from './loaders/folder.js';
export { type IdxArray, parseIdx } from './loaders/idx.js';
export {
  FASHION_MNIST_CLASSES,
  FASHION_MNIST_DIR,
  FASHION_MNIST_LICENCE,
  loadFashionMnist,
  loadMnist,
  MNIST_LICENCE,
  type Split,
} from './loaders/mnist.js';
export { encodeAdmNpz, loadNpzDataset, parseAdmNpz, writeAdmNpz } from './loaders/npz.js';
export { datasetNames, type LoadOptions, loadDataset } from './loaders/registry.js';
