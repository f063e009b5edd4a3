/** Config validation: every issue has a code, a path, the expectation and the value got. */
import {
  CONFIG_KEYS,
  isRinError,
  PRESET_NAMES,
  parseRinConfig,
  preset,
  presets,
  safeParseRinConfig,
} from '../src/index';

test('every preset is valid, has exactly the config keys and survives a JSON round trip', () => {
  for (const name of PRESET_NAMES) {
    const c = preset(name);
    expect(Object.keys(c)).toEqual([...CONFIG_KEYS]);
    expect(parseRinConfig(JSON.parse(JSON.stringify(c)))).toEqual(c);
  }
  expect(PRESET_NAMES).toEqual(
    expect.arrayContaining(['imagenet64', 'imagenet1024', 'cifar10', 'mnist', 'emoji', 'tiny']),
  );
  expect(preset('mnist')).toMatchObject({ imageSize: 28, channels: 1 });
  expect(preset('emoji')).toMatchObject({ imageSize: 32, channels: 3 });
});

test('preset returns a fresh copy and names the choices for an unknown name', () => {
  const a = preset('tiny') as unknown as { blocks: number[] };
  a.blocks.push(9);
  expect(presets.tiny.blocks).toEqual([1]);
  expect(() => preset('imagenet65')).toThrow(
    /preset: expected one of imagenet64, .*tiny, got "imagenet65"/,
  );
});

test('each bad value is reported with code, path, expected and got', () => {
  const bad = {
    ...preset('tiny'),
    imageSize: 18, // not a multiple of patchSize 4
    latentDim: 44, // not a multiple of 8
    blocks: [1, -1],
    rwHeads: 3,
    dropout: 1,
    selfCondition: 'tape',
    predict: 'noise',
    extra: true,
  };
  const r = safeParseRinConfig(bad);
  expect(r.success).toBe(false);
  if (r.success) return;
  const byPath = Object.fromEntries(r.issues.map((i) => [i.path, i]));
  expect(byPath['imageSize']).toEqual({
    code: 'not_divisible',
    path: 'imageSize',
    expected: 'a multiple of patchSize 4',
    got: '18',
  });
  expect(byPath['latentDim']?.code).toBe('not_divisible');
  expect(byPath['blocks.1']).toMatchObject({ code: 'invalid_type', got: '-1' });
  expect(byPath['dropout']).toMatchObject({ code: 'out_of_range', expected: 'a number in [0, 1)' });
  expect(byPath['selfCondition']).toMatchObject({
    expected: 'one of "latent", "none"',
    got: '"tape"',
  });
  expect(byPath['predict']?.got).toBe('"noise"');
  expect(byPath['extra']?.code).toBe('unknown_key');
  expect(byPath['rwHeads']?.expected).toBe('a divisor of min(interfaceDim, latentDim) = 32');
});

test('relations between keys', () => {
  const issues = (over: object) => {
    const r = safeParseRinConfig({ ...preset('tiny'), ...over });
    return r.success ? [] : r.issues.map((i) => `${i.code} ${i.path}: ${i.expected} / ${i.got}`);
  };
  expect(issues({ rwHeads: 3 })).toEqual([
    'not_divisible rwHeads: a divisor of min(interfaceDim, latentDim) = 32 / 3',
  ]);
  expect(issues({ latentHeads: 5 })).toEqual([
    'not_divisible latentHeads: a divisor of latentDim 48 / 5',
  ]);
  expect(issues({ latents: 2 })).toEqual([
    'out_of_range latents: at least 3 (2 conditioning tokens + ≥ 1 learned latent) / 2',
  ]);
  expect(issues({ latents: 2, numClasses: 0 })).toEqual([]);
  expect(issues({ interfaceMlpRatio: 0 })).toEqual([]);
  expect(issues({ latentMlpRatio: 0 })).toEqual(['out_of_range latentMlpRatio: a number > 0 / 0']);
});

test('missing keys, wrong types and the throwing form', () => {
  const { predict: _p, ...rest } = preset('tiny');
  const r = safeParseRinConfig({ ...rest, channels: '3' });
  expect(r.success ? [] : r.issues.map((i) => [i.code, i.path])).toEqual([
    ['missing_key', 'predict'],
    ['invalid_type', 'channels'],
  ]);
  expect(safeParseRinConfig([1, 2])).toMatchObject({ success: false });
  try {
    parseRinConfig({ ...preset('tiny'), patchSize: 0 });
    throw new Error('unreachable');
  } catch (e) {
    expect(isRinError(e)).toBe(true);
    if (!isRinError(e)) return;
    expect(e.code).toBe('invalid_config');
    expect(e.message).toBe('invalid RIN config:\npatchSize: expected an integer ≥ 1, got 0');
    expect(e.issues).toHaveLength(1);
  }
});
