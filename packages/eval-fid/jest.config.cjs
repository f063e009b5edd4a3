/** @type {import('jest').Config} */
module.exports = {
  testEnvironment: '<rootDir>/../../tools/jest/ort-environment.cjs',
  roots: ['<rootDir>/src', '<rootDir>/test'],
  transform: { '^.+\\.ts$': ['ts-jest', { tsconfig: '<rootDir>/tsconfig.json' }] },
  // Sources import siblings with an explicit `.js` suffix (ESM); jest resolves the `.ts` file.
  moduleNameMapper: { '^(\\.{1,2}/.*)\\.js$': '$1' },
  moduleFileExtensions: ['ts', 'js', 'cjs', 'mjs', 'json'],
  testTimeout: 60000,
};
