import { libraryConfig } from '../../tools/tsup/library';

// Zero dependencies and no node: imports: the same build runs in Node and browsers.
export default libraryConfig('neutral');
