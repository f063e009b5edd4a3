/** @type {import('jest').Config} */
module.exports = {
  // onnxruntime-node checks typed arrays against Node's main realm: share its constructors.
  testEnvironment: '<rootDir>/../../tools/jest/ort-environment.cjs',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  testMatch: ['**/*.test.ts'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
    // onnx-buf (behind @ns/graph) ships ESM only; jest runs CommonJS, so transpile it.
    '^.+\\.js$': [
      'ts-jest',
      { tsconfig: { allowJs: true, module: 'commonjs' }, diagnostics: false },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(\\.pnpm/onnx-buf@[^/]+/node_modules/)?onnx-buf/)'],
  // Sources import './x.js' (ESM style); map those to the .ts files.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  moduleFileExtensions: ['ts', 'js', 'cjs', 'mjs', 'json'],
  testTimeout: 60000,
};
