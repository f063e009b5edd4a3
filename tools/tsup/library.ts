import { defineConfig, type Options } from 'tsup';

/**
 * The build of every @ns package: src/index.ts → ESM + CommonJS + .d.ts with source maps, for
 * Node 20 (`platform: 'node'`) or for Node and browsers alike (`'neutral'`, no node: imports).
 */
export function libraryConfig(platform: 'node' | 'neutral', options: Options = {}) {
  return defineConfig({
    entry: ['src/index.ts'],
    format: ['esm', 'cjs'],
    dts: true,
    sourcemap: true,
    clean: true,
    target: 'es2022',
    platform,
    ...options,
  });
}
