import { defineConfig } from 'tsup';

export default defineConfig({
  entry: ['src/index.ts'],
  format: ['esm', 'cjs'],
  dts: true,
  sourcemap: true,
  clean: true,
  target: 'es2022',
  // Reads files (node:fs, node:zlib). shims gives the ESM build a __dirname, which the
  // built-in data set lookup uses to find packages/data/builtin/.
  platform: 'node',
  shims: true,
});
