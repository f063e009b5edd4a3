/**
 * @ns/formats — the file formats every @ns package reads and writes, implemented once: PNG,
 * numpy .npy/.npz (and the zip container under .npz). Errors are FormatErrors naming the file.
 */
export { FormatError } from './errors.js';
export { fileError, openForReading, readFileBytes, writeFileAtomic } from './files.js';
export type { Channels, Image } from './image.js';
export type { NpyData, NpyDataByDtype, NpyDtype } from './npy/dtype.js';
export {
  type NpyArray,
  parseNpy,
  type SerializeNpyOptions,
  serializeNpy,
  toFloat64,
} from './npy/npy.js';
export {
  NpzArchive,
  type NpzInput,
  readNpy,
  readNpz,
  type SerializeNpzOptions,
  serializeNpz,
  writeNpy,
  writeNpz,
} from './npy/npz.js';
export { decodePng, isPng, PNG_SIGNATURE, type PngHeader, readPngHeader } from './png/decode.js';
export { encodePng, type PngEncodeOptions, type PngFilter } from './png/encode.js';
