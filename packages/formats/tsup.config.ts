import { libraryConfig } from '../../tools/tsup/library';

// node:zlib (inflate, deflate, crc32) and node:fs: a Node build.
export default libraryConfig('node');
