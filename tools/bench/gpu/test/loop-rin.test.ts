/**
 * The multi-step training graph on a RIN built from @ns/trainer's exports (the objective, rinNet
 * and the per-step draws `ns train` feeds): 8 updates as 8 plain runs and as loop runs of 1, 4 and
 * 3 steps give the same losses, gradient norms and final parameters, slots and EMA, bit for bit
 * (onnxruntime on the CPU). Dropout and drop-path are on so the stacked feeds include bool masks.
 */
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { presets } from '@ns/rin';

interface Run {
  losses: number[];
  gradNorms: number[];
  state: Record<string, string>;
}

test('tiny RIN: 8 plain steps equal loop runs of 1 + 4 + 3 steps, bit for bit', () => {
  const rin = { ...presets.tiny, dropout: 0.1, dropPath: 0.1 };
  const run = spawnSync(
    process.execPath,
    [join(__dirname, '..', 'src', 'loop-equal.mjs'), JSON.stringify(rin), '4', '1,4,3'],
    { encoding: 'utf8' },
  );
  expect(run.stderr).toBe('');
  expect(run.status).toBe(0);
  const { plain, loop, inputs } = JSON.parse(run.stdout) as {
    plain: Run;
    loop: Run;
    inputs: string[];
  };
  expect(inputs).toEqual(expect.arrayContaining(['images', 'noise', 'selfCondMask']));
  expect(inputs.some((n) => n.endsWith('@main'))).toBe(true);
  expect(plain.losses).toHaveLength(8);
  expect(new Set(plain.losses).size).toBe(8);
  expect(loop.losses).toEqual(plain.losses);
  expect(loop.gradNorms).toEqual(plain.gradNorms);
  expect(Object.keys(plain.state).length).toBeGreaterThan(100);
  expect(loop.state).toEqual(plain.state);
}, 120_000);
