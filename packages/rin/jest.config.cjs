/** @type {import('jest').Config} */
module.exports = {
  // onnxruntime-node checks typed arrays with `instanceof`; share the main realm's constructors.
  testEnvironment: '<rootDir>/../../tools/jest/ort-environment.cjs',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  // Sources import './x.js' (ESM style); map those to the .ts files.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  moduleFileExtensions: ['ts', 'js', 'cjs', 'mjs', 'json'],
  testTimeout: 60000,
};
