import { ZIGGURAT_R, zigguratTables } from './ziggurat.js';

/**
 * Explicit, seeded random numbers (no global state): sfc32 (Doty-Humphrey's Small Fast Counting
 * generator, 128 bits of state, passes PractRand to 2^42+ bytes) seeded through splitmix32.
 * `fold(key)` derives an independent stream from a name or number, so a value drawn for
 * "parameter w at seed 3" or "noise of step 17" depends only on (seed, key), not on the order of
 * the draws around it (the JAX idea of splitting keys, with names instead of splits).
 * All arithmetic stays in uint32, so streams are identical on every JavaScript engine.
 */

/** Everything needed to continue a stream exactly; plain numbers, so it survives JSON. */
export interface RngState {
  readonly seed: number;
  readonly words: readonly [number, number, number, number];
  /** The cached second value of the last Box–Muller pair, if unused. */
  readonly spare: number | null;
}

function assertSeed(seed: number): void {
  if (!Number.isSafeInteger(seed) || seed < 0) {
    throw new RangeError(`\`seed\` must be a safe integer >= 0, got ${seed}`);
  }
}

/** The state words [a, b, c, d] while `normals` runs (one at a time: JavaScript is single-threaded). */
const scratch = new Uint32Array(4);

/** One sfc32 output from `s`, advancing it: `Rng.nextUint32` on a typed array. */
function sfc32(s: Uint32Array): number {
  const a = s[0]!;
  const b = s[1]!;
  const c = s[2]!;
  const d = s[3]!;
  const t = (((a + b) >>> 0) + d) >>> 0;
  s[0] = b ^ (b >>> 9);
  s[1] = c + (c << 3);
  s[2] = (((c << 21) | (c >>> 11)) >>> 0) + t;
  s[3] = d + 1;
  return t;
}

/** 2⁻³²: a raw draw times UNIT is uniform in [0, 1). */
const UNIT = 2.3283064365386963e-10;

/** A normal beyond ZIGGURAT_R (Marsaglia 1964): x = −ln(U₁)/R, y = −ln(U₂), kept when 2y > x². */
function normalTail(s: Uint32Array): number {
  for (;;) {
    const x = -Math.log(1 - sfc32(s) * UNIT) / ZIGGURAT_R;
    const y = -Math.log(1 - sfc32(s) * UNIT);
    if (y + y > x * x) return ZIGGURAT_R + x;
  }
}

/**
 * The ziggurat's value when the first point (layer i, abscissa z, sign and layer from draw w)
 * fell outside its layer's core: the tail beyond R for the base layer, else the wedge test, and
 * fresh points (two draws each, as the fast path) until one is accepted.
 */
function zigguratSlow(
  s: Uint32Array,
  w: number,
  i: number,
  z: number,
  X: Float64Array,
  F: Float64Array,
): number {
  for (;;) {
    if (z < X[i + 1]!) return w & 128 ? -z : z;
    if (i === 0) {
      const tail = normalTail(s);
      return w & 128 ? -tail : tail;
    }
    if (F[i]! + sfc32(s) * UNIT * (F[i + 1]! - F[i]!) < Math.exp(-0.5 * z * z)) {
      return w & 128 ? -z : z;
    }
    w = sfc32(s);
    i = w & 127;
    z = sfc32(s) * UNIT * X[i]!;
  }
}

export class Rng {
  private a = 0;
  private b = 0;
  private c = 0;
  private d = 0;
  private spare: number | null = null;

  /** A generator for `seed` (a safe integer ≥ 0; only its low 32 bits select the stream). */
  constructor(readonly seed: number) {
    assertSeed(seed);
    let s = seed >>> 0;
    const next = () => {
      s = (s + 0x9e3779b9) >>> 0;
      let z = s;
      z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
      z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
      return (z ^ (z >>> 16)) >>> 0;
    };
    this.a = next();
    this.b = next();
    this.c = next();
    this.d = next();
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  /** A new generator whose stream depends on this seed and `key` only (FNV-1a of the key). */
  fold(key: string | number): Rng {
    let h = (this.seed ^ 0x811c9dc5) >>> 0;
    for (const ch of String(key)) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
    return new Rng(h);
  }

  /** The position of this stream, for `Rng.fromState` (resumable data iterators). */
  state(): RngState {
    const words = [this.a >>> 0, this.b >>> 0, this.c >>> 0, this.d >>> 0] as const;
    return { seed: this.seed, words, spare: this.spare };
  }

  /** Continues a stream saved by `state()`; throws a RangeError naming what is malformed. */
  static fromState(state: RngState): Rng {
    const words = state?.words;
    if (
      !Array.isArray(words) ||
      words.length !== 4 ||
      !words.every((w) => Number.isInteger(w) && w >= 0 && w <= 0xffffffff)
    ) {
      throw new RangeError(
        `Rng state: \`words\` must be four uint32 values, got ${JSON.stringify(words)}`,
      );
    }
    if (!(state.spare === null || Number.isFinite(state.spare))) {
      throw new RangeError(
        `Rng state: \`spare\` must be null or a finite number, got ${state.spare}`,
      );
    }
    const rng = new Rng(state.seed);
    [rng.a, rng.b, rng.c, rng.d] = words;
    rng.spare = state.spare;
    return rng;
  }

  nextUint32(): number {
    const t = (((this.a + this.b) >>> 0) + this.d) >>> 0;
    this.d = (this.d + 1) >>> 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) >>> 0;
    this.c = ((this.c << 21) | (this.c >>> 11)) >>> 0;
    this.c = (this.c + t) >>> 0;
    return t;
  }

  /** Uniform in [0, 1) with 53 random bits. */
  uniform(): number {
    const hi = this.nextUint32() >>> 5;
    const lo = this.nextUint32() >>> 6;
    return (hi * 67108864 + lo) / 9007199254740992;
  }

  /** A uniform integer in [0, n), without modulo bias (n ≤ 2^32). */
  below(n: number): number {
    if (!(Number.isInteger(n) && n >= 1 && n <= 0x100000000)) {
      throw new RangeError(`\`n\` must be an integer in [1, 2^32], got ${n}`);
    }
    // Lemire's rejection: accept x unless it falls in the short, biased tail.
    const limit = 0x100000000 - (0x100000000 % n);
    for (;;) {
      const x = this.nextUint32();
      if (x < limit) return x % n;
    }
  }

  /** Standard normal (Box–Muller, caching the second value). */
  normal(): number {
    if (this.spare !== null) {
      const v = this.spare;
      this.spare = null;
      return v;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    const th = 2 * Math.PI * this.uniform();
    this.spare = r * Math.sin(th);
    return r * Math.cos(th);
  }

  /**
   * Fills `into` (default a new Float32Array of n) with n standard normals: exactly the values of
   * n calls of `normal()`, in order, leaving the same cached spare. The pairs are drawn inline on
   * a typed-array copy of the state (stores wrap to uint32 by themselves; locals captured by a
   * closure would live on the heap), because this is the sampler's per-step noise, 50k values a
   * step for 64 MNIST images, where method calls and property access cost as much as the maths.
   */
  normals(
    n: number,
    into: Float32Array | Float64Array = new Float32Array(n),
  ): Float32Array | Float64Array {
    let i = 0;
    if (n > 0 && this.spare !== null) {
      into[i++] = this.spare;
      this.spare = null;
    }
    const s = scratch;
    s[0] = this.a;
    s[1] = this.b;
    s[2] = this.c;
    s[3] = this.d;
    for (; i + 1 < n; i += 2) {
      // As normal(): u ≠ 0 first, then the angle; cos to this slot, sin (the spare) to the next.
      let u = 0;
      while (u === 0) {
        const hi = sfc32(s) >>> 5;
        u = (hi * 67108864 + (sfc32(s) >>> 6)) / 9007199254740992;
      }
      const hi = sfc32(s) >>> 5;
      const th = 2 * Math.PI * ((hi * 67108864 + (sfc32(s) >>> 6)) / 9007199254740992);
      const r = Math.sqrt(-2 * Math.log(u));
      into[i] = r * Math.cos(th);
      into[i + 1] = r * Math.sin(th);
    }
    this.a = s[0]!;
    this.b = s[1]!;
    this.c = s[2]!;
    this.d = s[3]!;
    if (i < n) into[i] = this.normal();
    return into;
  }

  /**
   * Fills `into` (default a new Uint8Array of n) with n Bernoulli(p) bytes: 1 where the next raw
   * sfc32 output is below round(p·2³²), else 0 — exactly n such comparisons of `nextUint32()`,
   * so p holds to 2⁻³² with one draw per value (`uniform() < p` takes two and a float compare).
   * The state lives in locals while it runs: the dropout keep-masks of the cifar10 preset are
   * 403M values a training step at batch 128.
   */
  bernoulli(n: number, p: number, into: Uint8Array = new Uint8Array(n)): Uint8Array {
    if (!(p >= 0 && p <= 1)) {
      throw new RangeError(`\`p\` must be a probability in [0, 1], got ${p}`);
    }
    if (!(Number.isSafeInteger(n) && n >= 0 && n <= into.length)) {
      throw new RangeError(`\`n\` must be an integer in [0, ${into.length}], got ${n}`);
    }
    // nextUint32 inline in int32 arithmetic (the same bits; V8 keeps int32 in registers, while
    // uint32 values above 2³¹ would be doubles), comparing t − 2³¹ with threshold − 2³¹ as signed
    // numbers: the same order as t with threshold unsigned.
    const shiftedThreshold = Math.round(p * 4294967296) - 2147483648;
    let a = this.a | 0;
    let b = this.b | 0;
    let c = this.c | 0;
    let d = this.d | 0;
    for (let i = 0; i < n; i++) {
      const t = (a + b + d) | 0;
      d = (d + 1) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (((c << 21) | (c >>> 11)) + t) | 0;
      into[i] = (t ^ -2147483648) < shiftedThreshold ? 1 : 0;
    }
    this.a = a >>> 0;
    this.b = b >>> 0;
    this.c = c >>> 0;
    this.d = d >>> 0;
    return into;
  }

  /**
   * Fills `into` (default a new Float32Array of n) with n standard normals by Marsaglia & Tsang's
   * ziggurat (128 layers, see ziggurat.ts): per value one raw draw picks the layer (7 bits) and
   * the sign (1 bit) and a second places the point in it (32 bits); 98.8 % of values are accepted
   * right there, the rest take a wedge test (one exp) or, beyond 3.44, Marsaglia's tail method.
   * About 4× faster than Box–Muller (`normals`), whose log, sqrt, sin and cos per pair dominate,
   * and a different stream: the values are not those of `normal()`.
   */
  zigguratNormals(
    n: number,
    into: Float32Array | Float64Array = new Float32Array(n),
  ): Float32Array | Float64Array {
    if (!(Number.isSafeInteger(n) && n >= 0 && n <= into.length)) {
      throw new RangeError(`\`n\` must be an integer in [0, ${into.length}], got ${n}`);
    }
    const { x: X, f: F } = zigguratTables();
    // The two draws of the common case are sfc32 inline on int32 locals (as in `bernoulli`); the
    // 1.2 % that need more go through the typed-array state, handed over and back.
    const s = scratch;
    let a = this.a | 0;
    let b = this.b | 0;
    let c = this.c | 0;
    let d = this.d | 0;
    for (let k = 0; k < n; k++) {
      let t = (a + b + d) | 0;
      d = (d + 1) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (((c << 21) | (c >>> 11)) + t) | 0;
      const w = t;
      t = (a + b + d) | 0;
      d = (d + 1) | 0;
      a = b ^ (b >>> 9);
      b = (c + (c << 3)) | 0;
      c = (((c << 21) | (c >>> 11)) + t) | 0;
      const i = w & 127;
      const z = (t >>> 0) * UNIT * X[i]!;
      if (z < X[i + 1]!) {
        into[k] = w & 128 ? -z : z;
        continue;
      }
      s[0] = a;
      s[1] = b;
      s[2] = c;
      s[3] = d;
      into[k] = zigguratSlow(s, w, i, z, X, F);
      a = s[0]! | 0;
      b = s[1]! | 0;
      c = s[2]! | 0;
      d = s[3]! | 0;
    }
    this.a = a >>> 0;
    this.b = b >>> 0;
    this.c = c >>> 0;
    this.d = d >>> 0;
    return into;
  }

  /** Shuffles `values` in place (Fisher–Yates, from the last element down). */
  shuffle<T extends { length: number; [i: number]: unknown }>(values: T): T {
    for (let i = values.length - 1; i > 0; i--) {
      const j = this.below(i + 1);
      const t = values[i];
      values[i] = values[j];
      values[j] = t;
    }
    return values;
  }
}
