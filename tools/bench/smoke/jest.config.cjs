/** @type {import('jest').Config} */
// The benches are plain Node and Python scripts; the test runs them as a person would.
module.exports = {
  ...require('../../jest/config.cjs')(),
  roots: ['<rootDir>/test'],
};
