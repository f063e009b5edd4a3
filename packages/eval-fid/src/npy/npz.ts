// The .npz (zip) reader and writer live in @ns/formats (one implementation for every @ns package);
// this package's modules import them from here.
export {
  NpzArchive,
  type NpzInput,
  readNpy,
  readNpz,
  type SerializeNpzOptions,
  serializeNpz,
  writeNpy,
  writeNpz,
} from '@ns/formats';
