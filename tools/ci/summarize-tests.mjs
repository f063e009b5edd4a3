// Sums the jest results every workspace package wrote (.jest-results.json, from `jest --json
// --outputFile`) and prints one closing line: "N passed, N failed, N skipped". Exits 1 when any
// test failed, any suite failed to run, or no test ran at all.
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = new URL('../..', import.meta.url).pathname;
let passed = 0;
let failed = 0;
let skipped = 0;
let brokenSuites = 0;
const seen = [];
// Workspace packages with tests: packages/*, apps/* and the test-carrying tools/* (pack-check, the
// GPU bundle's CPU-side tests).
for (const group of ['packages', 'apps', 'tools', 'tools/bench']) {
  const dir = join(root, group);
  if (!existsSync(dir)) continue;
  for (const name of readdirSync(dir)) {
    const file = join(dir, name, '.jest-results.json');
    if (!existsSync(file)) continue;
    const result = JSON.parse(readFileSync(file, 'utf8'));
    passed += result.numPassedTests;
    failed += result.numFailedTests;
    skipped += result.numPendingTests + result.numTodoTests;
    brokenSuites += result.numRuntimeErrorTestSuites;
    seen.push(`${group}/${name}: ${result.numPassedTests} passed, ${result.numFailedTests} failed`);
  }
}
for (const line of seen) console.log(`  ${line}`);
if (brokenSuites > 0) console.log(`${brokenSuites} test suite(s) failed to run`);
console.log(`${passed} passed, ${failed} failed, ${skipped} skipped`);
process.exit(failed > 0 || brokenSuites > 0 || passed === 0 ? 1 : 0);
