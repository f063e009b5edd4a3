/** @type {import('jest').Config} */
module.exports = {
  // onnxruntime-node checks typed arrays with `instanceof`; share the main realm's constructors.
  testEnvironment: '<rootDir>/test/ort-environment.cjs',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  // Sources import './x.js' (ESM style); map those to the .ts files.
  // test/cli-command.test.ts runs the `ns rin` command file, which imports '@ns/rin' (this source).
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1', '^@ns/rin$': '<rootDir>/src/index.ts' },
  moduleFileExtensions: ['ts', 'js', 'cjs', 'mjs', 'json'],
  testTimeout: 60000,
};
