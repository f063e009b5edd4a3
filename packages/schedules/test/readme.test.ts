/** The README's example runs as written against the built package, and prints what it claims. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

const root = join(__dirname, '..');

it('README example runs', () => {
  const readme = readFileSync(join(root, 'README.md'), 'utf8');
  const example = /```js\n([\s\S]*?)```/.exec(readme)?.[1];
  expect(example).toBeDefined();
  const out = execFileSync(process.execPath, ['--input-type=module', '-e', example!], {
    cwd: root,
    encoding: 'utf8',
  });
  const lines = out.split('\n');
  expect(lines[0]).toBe('sigmoid@0,3,0.5+scale=0.5');
  expect(Number(lines[1])).toBeCloseTo(0.0903533195, 10);
  expect(out).toContain('Float64Array(4) [ 1, 0.75, 0.5, 0.25 ]');
  expect(out).toContain("schedule: 'simple_linear'");
  expect(out).toContain('lognormal@0,2+shift=3');
  expect(out).toContain(String(-2 * Math.log(3)).slice(0, 14));
  expect(out).toMatch(/Float64Array\(4\) \[\s+0\.99/);
});
