/** @type {import('jest').Config} */
// onnx-buf ships ESM only (the build bundles it; jest runs the sources).
module.exports = require('../../tools/jest/config.cjs')({
  onnxRuntime: true,
  esmDependencies: ['onnx-buf'],
});
