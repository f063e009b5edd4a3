// The numpy-exact .npy reader and writer live in @ns/formats (one implementation for every @ns
// package); this package's modules import them from here.
export {
  type NpyArray,
  parseNpy,
  type SerializeNpyOptions,
  serializeNpy,
  toFloat64,
} from '@ns/formats';
