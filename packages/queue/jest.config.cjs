/** @type {import('jest').Config} */
module.exports = require('../../tools/jest/config.cjs')({ onnxRuntime: true });
