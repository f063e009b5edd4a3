export { EvalFidError } from './errors.js';
export { type GaussianStatistics, gaussianStatistics } from './gaussian.js';
export type { NpyData, NpyDataByDtype, NpyDtype } from './npy/dtype.js';
export {
  type AdmBatch,
  type ReadAdmBatchOptions,
  readAdmBatch,
  readFidStats,
  statisticsFromArchive,
  writeFidStats,
} from './npy/fid-files.js';
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
