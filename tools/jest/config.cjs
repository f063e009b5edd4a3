/**
 * The one jest setup of the workspace: ts-jest over TypeScript sources that import siblings
 * ESM-style ('./x.js'), tests named *.test.ts under src/ or test/.
 *   onnxRuntime     tests run onnxruntime-node in-process (share the main realm's typed arrays)
 *   esmDependencies packages that ship ESM only and must be transpiled for jest's CommonJS
 */
module.exports = function jestConfig({ onnxRuntime = false, esmDependencies = [] } = {}) {
  const esm = esmDependencies.map((name) => name.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&'));
  return {
    testEnvironment: onnxRuntime ? require.resolve('./ort-environment.cjs') : 'node',
    roots: ['<rootDir>/src', '<rootDir>/test'],
    testMatch: ['**/*.test.ts'],
    transform: {
      '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
      ...(esm.length > 0
        ? {
            '^.+\\.js$': [
              'ts-jest',
              { tsconfig: { allowJs: true, module: 'commonjs' }, diagnostics: false },
            ],
          }
        : {}),
    },
    ...(esm.length > 0
      ? {
          transformIgnorePatterns: esm.map(
            (name) => `/node_modules/(?!(\\.pnpm/${name}@[^/]+/node_modules/)?${name}/)`,
          ),
        }
      : {}),
    moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
    moduleFileExtensions: ['ts', 'js', 'cjs', 'mjs', 'json'],
    testTimeout: 60000,
  };
};
