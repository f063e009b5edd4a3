import { type RngState, Xoshiro128 } from '../src/random.js';
import { manifest } from './helpers.js';

describe('Xoshiro128 (xoshiro128**)', () => {
  test.each(
    manifest.xoshiro.map((x) => [x.state.join(','), x] as const),
  )('from state [%s] matches the C reference port', (_name, x) => {
    const rng = Xoshiro128.fromState(x.state as unknown as RngState);
    expect(Array.from({ length: x.outputs.length }, () => rng.nextUint32())).toEqual(x.outputs);
    expect(rng.state()).toEqual(x.stateAfter);
  });

  test('state survives JSON and continues the same sequence', () => {
    const a = Xoshiro128.fromSeed(42);
    for (let i = 0; i < 17; i++) a.nextUint32();
    const b = Xoshiro128.fromState(JSON.parse(JSON.stringify(a.state())));
    expect(Array.from({ length: 50 }, () => b.nextUint32())).toEqual(
      Array.from({ length: 50 }, () => a.nextUint32()),
    );
  });

  test('seeds and streams give different sequences; equal ones give equal sequences', () => {
    const first = (rng: Xoshiro128) => Array.from({ length: 4 }, () => rng.nextUint32());
    expect(first(Xoshiro128.fromSeed(7))).toEqual(first(Xoshiro128.fromSeed(7)));
    expect(first(Xoshiro128.fromSeed(7))).not.toEqual(first(Xoshiro128.fromSeed(8)));
    expect(first(Xoshiro128.fromSeed(7, 1))).not.toEqual(first(Xoshiro128.fromSeed(7, 2)));
    expect(first(Xoshiro128.fromSeed(7, 1, 0))).not.toEqual(first(Xoshiro128.fromSeed(7, 1, 1)));
    // Seeds above 2^32 use their high bits too.
    expect(first(Xoshiro128.fromSeed(2 ** 40))).not.toEqual(first(Xoshiro128.fromSeed(0)));
  });

  test('nextBelow is in range and roughly uniform (chi-square, 10 bins)', () => {
    const rng = Xoshiro128.fromSeed(3);
    const counts = new Array(10).fill(0);
    const n = 100_000;
    for (let i = 0; i < n; i++) counts[rng.nextBelow(10)]++;
    const chi2 = counts.reduce((s, c) => s + (c - n / 10) ** 2 / (n / 10), 0);
    expect(chi2).toBeLessThan(27.9); // p = 0.001 for 9 degrees of freedom
  });

  test('shuffle is a permutation', () => {
    const a = Xoshiro128.fromSeed(5).shuffle(Int32Array.from({ length: 1000 }, (_, i) => i));
    expect([...a].sort((x, y) => x - y)).toEqual(Array.from({ length: 1000 }, (_, i) => i));
    expect(Array.from(a.subarray(0, 10))).not.toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  test('bad seeds and states are rejected with the value', () => {
    expect(() => Xoshiro128.fromSeed(-1)).toThrow('seed: expected a safe integer ≥ 0, got -1');
    expect(() => Xoshiro128.fromSeed(1.5)).toThrow(/seed/);
    expect(() => Xoshiro128.fromState([0, 0, 0, 0])).toThrow(/all-zero/);
    expect(() => Xoshiro128.fromState([1, 2, 3] as unknown as RngState)).toThrow(/four uint32/);
  });
});
