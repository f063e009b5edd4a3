import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Rng } from '../src/index.js';

interface StreamCase {
  seed: number;
  fold: string | null;
  foldedSeed: number;
  uint32: number[];
  uniform: number[];
  normal: number[];
}

const golden = JSON.parse(
  readFileSync(join(__dirname, '..', 'fixtures', 'streams.json'), 'utf8'),
) as { cases: StreamCase[] };

const open = (c: StreamCase) => (c.fold === null ? new Rng(c.seed) : new Rng(c.seed).fold(c.fold));

describe('Rng against the Python transcription (tools/golden/random)', () => {
  test.each(golden.cases)('seed $seed, fold $fold', (c) => {
    expect(open(c).seed).toBe(c.foldedSeed);
    const ints = open(c);
    expect(c.uint32.map(() => ints.nextUint32())).toEqual(c.uint32);
    const uniforms = open(c);
    expect(c.uniform.map(() => uniforms.uniform())).toEqual(c.uniform);
    // log/sin/cos may differ in the last bit between V8 and the C library.
    const normals = open(c);
    for (const want of c.normal) {
      const got = normals.normal();
      expect(Math.abs(got - want)).toBeLessThanOrEqual(4e-16 * Math.max(1, Math.abs(want)));
    }
  });
});

describe('Rng', () => {
  test.each([
    [101, false, 'float64'],
    [100, false, 'float64'],
    [100, true, 'float64'],
    [7, true, 'float32'],
    [1, false, 'float64'],
    [0, true, 'float64'],
    [50176, false, 'float32'],
  ] as const)('normals(%i) (spare cached before: %s, %s) is repeated normal(), bit for bit, and leaves the same state', (n, spare, dtype) => {
    const fast = new Rng(3).fold('noise');
    const slow = new Rng(3).fold('noise');
    if (spare) expect(fast.normal()).toBe(slow.normal());
    const into = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
    const want = dtype === 'float32' ? new Float32Array(n) : new Float64Array(n);
    for (let i = 0; i < n; i++) want[i] = slow.normal();
    expect(fast.normals(n, into)).toBe(into);
    expect(Buffer.from(into.buffer).equals(Buffer.from(want.buffer))).toBe(true);
    expect(fast.state()).toEqual(slow.state());
    expect(fast.normal()).toBe(slow.normal());
  });

  test.each([
    [0, 0.3],
    [1, 0.9],
    [4099, 0.9],
    [4099, 0],
    [4099, 1],
    [4099, 1 / 3],
  ])('bernoulli(%i, %f) is n comparisons of nextUint32() with round(p·2^32), and leaves the same state', (n, p) => {
    const fast = new Rng(5).fold('mask');
    const slow = new Rng(5).fold('mask');
    const threshold = Math.round(p * 2 ** 32);
    const want = Uint8Array.from({ length: n }, () => (slow.nextUint32() < threshold ? 1 : 0));
    const into = new Uint8Array(n + 3).fill(7);
    expect(fast.bernoulli(n, p, into)).toBe(into);
    expect(Array.from(into.subarray(0, n))).toEqual(Array.from(want));
    expect(Array.from(into.subarray(n))).toEqual([7, 7, 7]); // nothing past n
    expect(fast.state()).toEqual(slow.state());
    expect(fast.nextUint32()).toBe(slow.nextUint32());
  });

  test('bernoulli draws ones at rate p (within 5 binomial standard errors)', () => {
    const n = 200_000;
    for (const p of [0.1, 0.5, 0.9]) {
      const ones = new Rng(8)
        .fold(p)
        .bernoulli(n, p)
        .reduce((s, v) => s + v, 0);
      expect(Math.abs(ones / n - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / n));
    }
  });

  test('bernoulli refuses a p outside [0, 1] and an n the array cannot hold', () => {
    expect(() => new Rng(1).bernoulli(3, 1.5)).toThrow(
      '`p` must be a probability in [0, 1], got 1.5',
    );
    expect(() => new Rng(1).bernoulli(3, Number.NaN)).toThrow('got NaN');
    expect(() => new Rng(1).bernoulli(5, 0.5, new Uint8Array(4))).toThrow(
      '`n` must be an integer in [0, 4], got 5',
    );
  });

  test('state() round-trips through JSON mid-stream, including a cached normal', () => {
    const rng = new Rng(9);
    rng.normal(); // leaves the pair's second value cached
    const saved = JSON.parse(JSON.stringify(rng.state()));
    const resumed = Rng.fromState(saved);
    expect(Array.from({ length: 5 }, () => resumed.normal())).toEqual(
      Array.from({ length: 5 }, () => rng.normal()),
    );
    expect(resumed.nextUint32()).toBe(rng.nextUint32());
  });

  test('fromState names what is malformed', () => {
    expect(() => Rng.fromState({ seed: 1, words: [1, 2, 3] as never, spare: null })).toThrow(
      /`words` must be four uint32 values/,
    );
    expect(() => Rng.fromState({ seed: 1, words: [1, 2, 3, 4], spare: Number.NaN })).toThrow(
      /`spare` must be null or a finite number/,
    );
  });

  test('below(n) is unbiased enough to pass a chi-square test and stays in range', () => {
    const rng = new Rng(5);
    const n = 7;
    const counts = new Array<number>(n).fill(0);
    const draws = 70000;
    for (let i = 0; i < draws; i++) {
      const k = rng.below(n);
      expect(k >= 0 && k < n).toBe(true);
      counts[k]!++;
    }
    const expected = draws / n;
    const chi2 = counts.reduce((s, c) => s + (c - expected) ** 2 / expected, 0);
    expect(chi2).toBeLessThan(22.46); // 99.9 % quantile of χ²(6)
    expect(() => rng.below(0)).toThrow(/`n` must be an integer/);
  });

  test('shuffle permutes in place and depends only on the stream', () => {
    const a = new Rng(1).fold('shuffle').shuffle(Int32Array.from({ length: 50 }, (_, i) => i));
    const b = new Rng(1).fold('shuffle').shuffle(Int32Array.from({ length: 50 }, (_, i) => i));
    expect(Array.from(a)).toEqual(Array.from(b));
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 50 }, (_, i) => i));
    expect(Array.from(a)).not.toEqual(Array.from({ length: 50 }, (_, i) => i));
  });

  test('rejects seeds that are not safe non-negative integers', () => {
    expect(() => new Rng(-1)).toThrow(/`seed` must be a safe integer >= 0, got -1/);
    expect(() => new Rng(0.5)).toThrow(/`seed`/);
  });
});
