/**
 * The published build: `import` and `require` of '@ns/schedules' both work (self-reference through
 * the exports map), and the ESM build bundles for a browser and runs with no Node globals.
 * Needs `pnpm build` first (turbo's test task depends on build).
 */
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { runInNewContext } from 'node:vm';
import { build } from 'esbuild';

const root = join(__dirname, '..');
const node = (args: string[]): string =>
  execFileSync(process.execPath, args, { cwd: root, encoding: 'utf8' });

const probe =
  'const s = withInputScale(sigmoid({ start: 0, end: 3, tau: 0.5 }), 0.5); console.log(JSON.stringify([s.spec, s.logSnr(0.5)]));';

describe('published build', () => {
  beforeAll(() => {
    if (!existsSync(join(root, 'dist', 'index.js')))
      throw new Error('run `pnpm build` before these tests (dist/ is missing)');
  });

  it('works from ESM', () => {
    const out = node([
      '--input-type=module',
      '-e',
      `import { sigmoid, withInputScale } from '@ns/schedules'; ${probe}`,
    ]);
    expect(JSON.parse(out)).toEqual(['sigmoid@0,3,0.5+scale=0.5', expect.any(Number)]);
  });

  it('works from CommonJS', () => {
    const out = node([
      '-e',
      `const { sigmoid, withInputScale } = require('@ns/schedules'); ${probe}`,
    ]);
    expect(JSON.parse(out)[0]).toBe('sigmoid@0,3,0.5+scale=0.5');
  });

  it('bundles for a browser and runs without Node globals', async () => {
    const result = await build({
      stdin: {
        contents: `import { sigmoid, withInputScale } from './dist/index.js'; ${probe.replace('console.log', 'globalThis.result = ')}`,
        resolveDir: root,
      },
      bundle: true,
      platform: 'browser',
      format: 'iife',
      write: false,
      logLevel: 'silent',
    });
    const sandbox: { result?: string } = {};
    runInNewContext(result.outputFiles[0]!.text, sandbox);
    expect(JSON.parse(sandbox.result!)[0]).toBe('sigmoid@0,3,0.5+scale=0.5');
  });
});
