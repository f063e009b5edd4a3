/**
 * `ns rin params` / `ns rin describe`: the command file apps/cli/src/commands/rin.ts run through
 * commander exactly as `ns` runs it (driving registerRin directly, so each case runs in-process).
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { paramCount, preset } from '@ns/rin';
import { Command } from 'commander';
import { registerRin } from '../src/commands/rin';

async function ns(...args: string[]): Promise<string> {
  const program = new Command('ns').exitOverride().enablePositionalOptions();
  registerRin(program);
  let out = '';
  const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk) => {
    out += String(chunk);
    return true;
  });
  try {
    await program.parseAsync(args, { from: 'user' });
  } finally {
    spy.mockRestore();
  }
  return out;
}

test('params --json prints {"params": N} for every paper preset', async () => {
  for (const [name, m] of [
    ['imagenet64', 214.48],
    ['imagenet1024', 411.95],
    ['cifar10', 30.95],
  ] as const) {
    const out = JSON.parse(await ns('rin', 'params', '--preset', name, '--json'));
    expect(out).toEqual({ params: paramCount(preset(name)) });
    expect(Math.round(out.params / 1e4) / 100).toBe(m);
  }
});

test('params without --json prints the per-part breakdown ending in the total', async () => {
  const out = await ns('rin', 'params', '--preset', 'imagenet64');
  const lines = out.trimEnd().split('\n');
  // stem: Dense(8·8·3 → 512) + LayerNorm(512)
  const stem = (192 * 512 + 512 + 2 * 512).toLocaleString('en-US');
  expect(lines[0]).toMatch(new RegExp(`^ {2}stem +${stem} +0\\.0%$`));
  expect(lines).toContainEqual(
    expect.stringMatching(/^ {2}block3\/process +\d{2},\d{3},\d{3} +\d+\.\d%$/),
  );
  const total = paramCount(preset('imagenet64')).toLocaleString('en-US');
  expect(lines.at(-1)).toMatch(new RegExp(`^ {2}total +${total} +\\(214\\.48M\\)$`));
});

test('--config reads a JSON file; bad files and bad configs are reported', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'ns-rin-'));
  try {
    const file = join(dir, 'cfg.json');
    writeFileSync(file, JSON.stringify({ ...preset('imagenet64'), blocks: [4, 4, 4, 4] }));
    const sweep = JSON.parse(await ns('rin', 'params', '--config', file, '--json'));
    expect(Math.round(sweep.params / 1e4) / 100).toBe(157.78); // spec §3.8, P2S IN-64 sweep
    writeFileSync(file, JSON.stringify({ ...preset('tiny'), rwHeads: 3 }));
    await expect(ns('rin', 'params', '--config', file)).rejects.toThrow(
      /rwHeads: expected a divisor of min\(interfaceDim, latentDim\) = 32, got 3/,
    );
    writeFileSync(file, '{ nope');
    await expect(ns('rin', 'params', '--config', file)).rejects.toThrow(/--config .*cfg\.json: /);
    await expect(ns('rin', 'params')).rejects.toThrow(/give exactly one of --preset NAME/);
    await expect(ns('rin', 'params', '--preset', 'imagenet63')).rejects.toThrow(
      /expected one of imagenet64, .* got "imagenet63"/,
    );
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('describe prints token and latent shapes and forward FLOPs', async () => {
  const out = await ns('rin', 'describe', '--preset', 'imagenet256');
  expect(out).toContain('interface X   [batch, 1024, 512]');
  expect(out).toContain('latents Z     [batch, 256, 768]   (254 learned + time + class)');
  const n = paramCount(preset('imagenet256')).toLocaleString('en-US');
  expect(out).toContain(`parameters    ${n} (319.03M)`);
  expect(out).toMatch(/forward FLOPs \d+\.\d\dG per example/);
  const json = JSON.parse(await ns('rin', 'describe', '--preset', 'mnist', '--json'));
  expect(json.interface).toEqual([49, 64]);
  expect(json.latents).toEqual([16, 96]);
  expect(json.image).toEqual([28, 28, 1]);
  expect(json.flops).toBe(
    json.flopParts.reduce((s: number, p: { flops: number }) => s + p.flops, 0),
  );
});
