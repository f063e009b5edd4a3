import { libraryConfig } from '../../tools/tsup/library';

// shims gives the ESM build a __dirname, which the built-in data set lookup uses to find
// packages/data/builtin/.
export default libraryConfig('node', { shims: true });
