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
  ziggurat: number[];
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
    // the ziggurat's tables come from exp/log/sqrt too, and each value is a product with one of
    // them, built by a recurrence of 127 steps (measured: 2.5 ulp of max(1, |z|) apart at most)
    const ziggurat = open(c).zigguratNormals(
      c.ziggurat.length,
      new Float64Array(c.ziggurat.length),
    );
    c.ziggurat.forEach((want, i) => {
      expect(Math.abs(ziggurat[i]! - want)).toBeLessThanOrEqual(
        2e-15 * Math.max(1, Math.abs(want)),
      );
    });
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

/** Φ(x) from erfc (W. J. Cody's rational approximations are overkill here: |error| < 1.2e-7). */
function normalCdf(x: number): number {
  const z = Math.abs(x) / Math.SQRT2;
  const t = 1 / (1 + 0.5 * z);
  const erfc =
    t *
    Math.exp(
      -z * z -
        1.26551223 +
        t *
          (1.00002368 +
            t *
              (0.37409196 +
                t *
                  (0.09678418 +
                    t *
                      (-0.18628806 +
                        t *
                          (0.27886807 +
                            t *
                              (-1.13520398 +
                                t * (1.48851587 + t * (-0.82215223 + t * 0.17087277)))))))),
    );
  return x >= 0 ? 1 - 0.5 * erfc : 0.5 * erfc;
}

describe('zigguratNormals', () => {
  const n = 400_000;
  const z = new Rng(11).fold('zig').zigguratNormals(n, new Float64Array(n)) as Float64Array;

  test('Kolmogorov–Smirnov against Φ: D below the 0.1 % critical value', () => {
    const sorted = Float64Array.from(z).sort();
    let D = 0;
    for (let i = 0; i < n; i++) {
      const F = normalCdf(sorted[i]!);
      D = Math.max(D, Math.abs(F - i / n), Math.abs((i + 1) / n - F));
    }
    expect(D).toBeLessThan(1.95 / Math.sqrt(n));
  });

  test('moments: mean 0, variance 1, third 0, fourth 3 (within 5 standard errors)', () => {
    let m1 = 0;
    let m2 = 0;
    let m3 = 0;
    let m4 = 0;
    for (const v of z) {
      m1 += v;
      m2 += v * v;
      m3 += v ** 3;
      m4 += v ** 4;
    }
    const se = (variance: number) => 5 * Math.sqrt(variance / n);
    expect(Math.abs(m1 / n)).toBeLessThan(se(1));
    expect(Math.abs(m2 / n - 1)).toBeLessThan(se(2));
    expect(Math.abs(m3 / n)).toBeLessThan(se(15));
    expect(Math.abs(m4 / n - 3)).toBeLessThan(se(96));
  });

  test('the tail beyond the base layer (3.44) has its mass, on both sides', () => {
    const r = 3.442619855899;
    const p = 2 * (1 - normalCdf(r));
    let low = 0;
    let high = 0;
    for (const v of z) {
      if (v > r) high++;
      else if (v < -r) low++;
    }
    expect(Math.abs((low + high) / n - p)).toBeLessThan(5 * Math.sqrt((p * (1 - p)) / n));
    expect(low).toBeGreaterThan(0);
    expect(high).toBeGreaterThan(0);
  });

  test('one stream: two calls continue it, float32 output is the rounded float64 one', () => {
    const whole = new Rng(4).zigguratNormals(1000, new Float64Array(1000));
    const rng = new Rng(4);
    const first = rng.zigguratNormals(333, new Float64Array(333));
    const rest = rng.zigguratNormals(667, new Float64Array(667));
    expect([...first, ...rest]).toEqual([...whole]);
    const f32 = new Rng(4).zigguratNormals(1000);
    expect(f32).toBeInstanceOf(Float32Array);
    expect([...f32]).toEqual([...whole].map(Math.fround));
  });

  test('refuses an n the array cannot hold', () => {
    expect(() => new Rng(1).zigguratNormals(5, new Float64Array(4))).toThrow(
      '`n` must be an integer in [0, 4], got 5',
    );
  });
});
