import { libraryConfig } from '../../tools/tsup/library';

// shims gives the ESM build a __dirname, which finds the shipped extractors/ folder.
export default libraryConfig('node', { shims: true });
