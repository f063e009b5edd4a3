import { libraryConfig } from '../../tools/tsup/library';

export default libraryConfig('node', { entry: ['src/index.ts'] });
