/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: '<rootDir>/../../tools/jest/ort-environment.cjs',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  transform: {
    '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }],
    // onnx-buf ships ESM only; jest runs CommonJS, so transpile it like our own sources.
    '^.+\\.js$': [
      'ts-jest',
      { tsconfig: { allowJs: true, module: 'commonjs' }, diagnostics: false },
    ],
  },
  transformIgnorePatterns: ['/node_modules/(?!(\\.pnpm/onnx-buf@[^/]+/node_modules/)?onnx-buf/)'],
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  moduleFileExtensions: ['ts', 'js', 'cjs', 'mjs', 'json'],
  testTimeout: 60000,
};
