// File formats come from @ns/formats (re-exported: FormatError is what a bad file throws).
// The numpy-exact .npy/.npz readers and writers are @ns/formats' (one for every @ns package),
// re-exported so this package's users need no second import.
export {
  FormatError,
  type NpyArray,
  type NpyData,
  type NpyDataByDtype,
  type NpyDtype,
  NpzArchive,
  type NpzInput,
  parseNpy,
  readNpy,
  readNpz,
  type SerializeNpyOptions,
  type SerializeNpzOptions,
  serializeNpy,
  serializeNpz,
  toFloat64,
  writeNpy,
  writeNpz,
} from '@ns/formats';
export {
  type BuiltinExtractor,
  builtinExtractor,
  type ImageShape,
  isMnistLike,
} from './builtin-extractors.js';
export { EvalFidError } from './errors.js';
export {
  type ExtractorContract,
  type ExtractorProvenance,
  type ImageBatch,
  INCEPTION_CONTRACT,
  type OnnxExtractorOptions,
  OnnxFeatureExtractor,
  type PreprocessMode,
} from './extractor/onnx-extractor.js';
export { type FeatureMatrix, featureMatrix } from './features.js';
export {
  COVARIANCE_TOLERANCE,
  type FrechetOptions,
  type FrechetResult,
  type FrechetStage,
  frechetDistance,
  frechetDistanceAsync,
  traceSqrtProduct,
  traceSqrtProductAsync,
} from './frechet.js';
export { type GaussianStatistics, gaussianStatistics } from './gaussian.js';
export { readImageFolder } from './image/folder.js';
export { type DecodedImage, decodePng } from './image/png.js';
export { type PlanarImage, type ResizeFilter, resizeImage } from './image/resize.js';
export { type PivotedCholesky, pivotedCholesky } from './linalg/pivoted-cholesky.js';
export { symmetricEigenvalues } from './linalg/symmetric-eigenvalues.js';
export { type InceptionScoreResult, inceptionScore } from './metrics/inception-score.js';
export {
  type KidOptions,
  type KidResult,
  kernelInceptionDistance,
  kidFromSubsets,
  polynomialMmdUnbiased,
} from './metrics/kid.js';
export {
  type LabelAgreementOptions,
  type LabelAgreementResult,
  labelAgreement,
} from './metrics/label-agreement.js';
export {
  type PrecisionRecallOptions,
  type PrecisionRecallResult,
  precisionRecall,
} from './metrics/precision-recall.js';
export {
  type AdmBatch,
  type ReadAdmBatchOptions,
  readAdmBatch,
  readFidStats,
  statisticsFromArchive,
  writeFidStats,
} from './npy/fid-files.js';
export {
  createOrtProducts,
  type OrtProducts,
  type OrtProductsOptions,
} from './ort/ort-products.js';
export type { MatrixProducts, Product } from './products.js';
export {
  type CompareOptions,
  type ComparisonReport,
  compareSources,
  compareSourcesAsync,
  extractSource,
  type FeatureSource,
  type ImageSource,
  loadFeatureSource,
  loadSource,
  sourceStatistics,
  sourceStatisticsAsync,
} from './sources.js';
export {
  FeatureMoments,
  type FeatureMomentsOptions,
  featureStatistics,
  featureStatisticsAsync,
  type MomentsSnapshot,
} from './stats/feature-moments.js';
export { readMoments, writeMoments } from './stats/moments-file.js';
