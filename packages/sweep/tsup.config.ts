import { libraryConfig } from '../../tools/tsup/library';

// The trial process is its own entry: runSweep starts it with Node, one per trial, and finds it
// beside itself (shims gives the ESM build a __dirname).
export default libraryConfig('node', {
  entry: ['src/index.ts', 'src/trial-process.ts'],
  shims: true,
});
