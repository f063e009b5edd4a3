/** @type {import('jest').Config} */
// The scripts under src/ are plain Node/Python/shell; the tests run them as the device will.
module.exports = {
  ...require('../../jest/config.cjs')({ onnxRuntime: true }),
  roots: ['<rootDir>/test'],
};
