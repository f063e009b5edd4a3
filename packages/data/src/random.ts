/**
 * xoshiro128** 1.1 (Blackman & Vigna, 2018): a 32-bit generator with 128 bits of state, period
 * 2^128 − 1, passing BigCrush; all arithmetic stays in uint32, so it is exact in JavaScript and
 * its state is four plain numbers that survive JSON.
 *
 * Seeding: the seed (any safe integer ≥ 0) and optional stream numbers are folded with the
 * MurmurHash3 finaliser, then a SplitMix32-style Weyl sequence (increment 0x9E3779B9) expands
 * the result into the four state words. Different streams of one seed are independent for all
 * practical purposes (e.g. one stream per epoch for shuffling, another for flips).
 */
export type RngState = readonly [number, number, number, number];

function fmix32(h: number): number {
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b);
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35);
  h ^= h >>> 16;
  return h >>> 0;
}

function rotl(x: number, k: number): number {
  return ((x << k) | (x >>> (32 - k))) >>> 0;
}

export function assertSeed(name: string, seed: number): void {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new RangeError(`${name}: expected a safe integer ≥ 0, got ${seed}`);
  }
}

export class Xoshiro128 {
  private s0: number;
  private s1: number;
  private s2: number;
  private s3: number;

  private constructor(state: RngState) {
    [this.s0, this.s1, this.s2, this.s3] = state;
  }

  /** A generator for `seed`, optionally on an independent numbered stream (each ≥ 0). */
  static fromSeed(seed: number, ...streams: number[]): Xoshiro128 {
    assertSeed('seed', seed);
    let h = fmix32((seed >>> 0) ^ fmix32(Math.floor(seed / 2 ** 32) + 0x6a09e667));
    for (const [i, stream] of streams.entries()) {
      assertSeed(`streams[${i}]`, stream);
      h = fmix32(h ^ fmix32((stream >>> 0) + 0x9e3779b9 * (i + 1)) ^ Math.floor(stream / 2 ** 32));
    }
    const words: number[] = [];
    for (let i = 0; i < 4; i++) {
      h = (h + 0x9e3779b9) >>> 0;
      words.push(fmix32(h));
    }
    // fmix32 is a bijection and the four inputs differ, so at most one word is 0: never the
    // all-zero state, the generator's one fixed point.
    return new Xoshiro128(words as unknown as RngState);
  }

  /** A generator continuing from a state saved with `state()`. */
  static fromState(state: RngState): Xoshiro128 {
    if (
      !Array.isArray(state) ||
      state.length !== 4 ||
      !state.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff)
    ) {
      throw new RangeError(`state: expected four uint32 numbers, got ${JSON.stringify(state)}`);
    }
    if (state.every((w) => w === 0)) throw new RangeError('state: the all-zero state is invalid');
    return new Xoshiro128(state);
  }

  state(): RngState {
    return [this.s0, this.s1, this.s2, this.s3];
  }

  /** Next uniformly distributed uint32. */
  nextUint32(): number {
    const result = Math.imul(rotl(Math.imul(this.s1, 5) >>> 0, 7), 9) >>> 0;
    const t = (this.s1 << 9) >>> 0;
    this.s2 ^= this.s0;
    this.s3 ^= this.s1;
    this.s1 ^= this.s2;
    this.s0 ^= this.s3;
    this.s2 = (this.s2 ^ t) >>> 0;
    this.s3 = rotl(this.s3 >>> 0, 11);
    this.s0 >>>= 0;
    this.s1 >>>= 0;
    return result;
  }

  /** Uniform float in [0, 1) with 32 random bits. */
  nextFloat(): number {
    return this.nextUint32() / 2 ** 32;
  }

  /** Uniform integer in [0, n) without modulo bias (rejection sampling), 1 ≤ n ≤ 2^32. */
  nextBelow(n: number): number {
    if (!Number.isInteger(n) || n < 1 || n > 2 ** 32) {
      throw new RangeError(`n: expected an integer in [1, 2^32], got ${n}`);
    }
    // Accept values below the largest multiple of n that fits in 2^32.
    const limit = 2 ** 32 - (2 ** 32 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }

  /** Shuffles `array` in place (Fisher–Yates, from the end) and returns it. */
  shuffle<T extends { [i: number]: number; length: number }>(array: T): T {
    for (let i = array.length - 1; i > 0; i--) {
      const j = this.nextBelow(i + 1);
      const t = array[i]!;
      array[i] = array[j]!;
      array[j] = t;
    }
    return array;
  }
}
