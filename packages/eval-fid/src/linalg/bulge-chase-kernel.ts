/**
 * The kernels of the band-to-tridiagonal bulge chase (Lang 1993; LAPACK dsytrd_sb2st's), written
 * to be self-contained: no imports and no module state, because chaseWorkerSource sends their
 * source text to worker threads, where two sweeps run at once. `reflector` is also the Householder
 * step of the dense → band reduction.
 *
 * Band storage (see BandMatrix): entry (r, c), 0 ≤ r − c < width, is a[r·(width − 1) + c + width − 1].
 */

/**
 * LAPACK dlarfg on x = a[at .. at+len): finds β, v = [1, v₁…] and τ with (I − τ v vᵀ) x = β e₁,
 * stores β at a[at] and v₁… after it, and returns τ (0 when x already is a multiple of e₁).
 */
export function reflector(a: Float64Array, at: number, len: number, stride = 1): number {
  const alpha = a[at]!;
  let tail = 0;
  for (let i = 1; i < len; i++) tail += a[at + i * stride]! ** 2;
  if (tail === 0) return 0;
  const norm = Math.sqrt(alpha * alpha + tail);
  const beta = alpha >= 0 ? -norm : norm; // opposite sign to α: no cancellation in α − β
  const scale = 1 / (alpha - beta);
  for (let i = 1; i < len; i++) a[at + i * stride] = a[at + i * stride]! * scale;
  a[at] = beta;
  return (beta - alpha) / beta;
}

/**
 * Sweep i of the chase: a reflector of length b clears column i below its subdiagonal and is
 * applied two-sidedly to the diagonal block, then the bulge it makes in the b × b block below is
 * chased down the band one block at a time (the block takes the reflector from the right, a new
 * reflector clears the block's first column, and that one goes on to the next diagonal block).
 *
 * Step k of sweep i reads and writes only the stored rows i+1+k·b … i+(k+1)·b. Step k of sweep
 * i+1 overlaps steps k and k+1 of sweep i and no later one, so with `progress` (one Int32 per
 * sweep, shared between threads: steps done, or 0x7fffffff once finished) a sweep waits before
 * each step until the one before it is two steps ahead. Every entry then sees the same operations
 * in the same order as in the sequential chase, so the result is bit-identical to it.
 * `scratch` holds 4·b float64s.
 */
export function chaseSweep(
  a: Float64Array,
  n: number,
  b: number,
  width: number,
  i: number,
  scratch: Float64Array,
  progress?: Int32Array,
): void {
  const at = (r: number, c: number) => r * (width - 1) + c + width - 1;
  const stride = width - 1;
  const v = scratch.subarray(0, b);
  const v2 = scratch.subarray(b, 2 * b);
  const w = scratch.subarray(2 * b, 3 * b);
  const y = scratch.subarray(3 * b, 4 * b);
  const waitFor = (step: number) => {
    if (progress === undefined || i === 0) return;
    for (let spin = 0; ; spin++) {
      const ahead = Atomics.load(progress, i - 1);
      if (ahead >= step + 2) return;
      if (spin > 1000) Atomics.wait(progress, i - 1, ahead, 1);
    }
  };
  const publish = (steps: number) => {
    if (progress === undefined) return;
    Atomics.store(progress, i, steps);
    Atomics.notify(progress, i);
  };
  waitFor(0);
  let j0 = i + 1;
  let len = Math.min(b, n - j0);
  // reflector clearing A[i+2 .., i]: gathered from column i, then written back as β e₁
  for (let q = 0; q < len; q++) v[q] = a[at(j0 + q, i)]!;
  let tau = reflector(v, 0, len);
  a[at(j0, i)] = v[0]!;
  for (let q = 1; q < len; q++) a[at(j0 + q, i)] = 0;
  v[0] = 1;
  twoSided(a, stride, at(j0, j0), len, v, tau, w);
  publish(1);
  for (let step = 1; ; step++) {
    const r0 = j0 + len;
    if (r0 >= n) break;
    waitFor(step);
    const rows = Math.min(b, n - r0);
    // B = A[r0 : r0+rows, j0 : j0+len] becomes H2 B H in three passes over B: y = τ B v, then
    // H2 from B H's first column (B[:, 0] − y), then z = (B H)ᵀ v2 and the one update
    // B ← B − y vᵀ − τ2 v2 zᵀ (column 0 becomes β2 e₁).
    // (loops unrolled by hand: V8 keeps one accumulator per `+=` chain, so a plain dot product
    // waits on the adder; two rows per pass halve the loads of v and w)
    for (let r = 0; r < rows; r++) {
      const o = at(r0 + r, j0);
      let s0 = 0;
      let s1 = 0;
      let s2 = 0;
      let s3 = 0;
      let q = 0;
      for (; q + 3 < len; q += 4) {
        s0 += a[o + q]! * v[q]!;
        s1 += a[o + q + 1]! * v[q + 1]!;
        s2 += a[o + q + 2]! * v[q + 2]!;
        s3 += a[o + q + 3]! * v[q + 3]!;
      }
      for (; q < len; q++) s0 += a[o + q]! * v[q]!;
      y[r] = tau * (s0 + s1 + (s2 + s3));
      v2[r] = a[o]! - y[r]!;
    }
    const tau2 = reflector(v2, 0, rows);
    const beta2 = v2[0]!;
    v2[0] = 1;
    let v2y = 0;
    for (let r = 0; r < rows; r++) v2y += v2[r]! * y[r]!;
    w.fill(0, 0, len);
    let r = 0;
    for (; r + 1 < rows; r += 2) {
      const o = at(r0 + r, j0);
      const o1 = o + stride;
      const va = v2[r]!;
      const vb = v2[r + 1]!;
      for (let q = 1; q < len; q++) w[q] = w[q]! + a[o + q]! * va + a[o1 + q]! * vb;
    }
    if (r < rows) {
      const o = at(r0 + r, j0);
      const va = v2[r]!;
      for (let q = 1; q < len; q++) w[q] = w[q]! + a[o + q]! * va;
    }
    for (let q = 1; q < len; q++) w[q] = tau2 * (w[q]! - v2y * v[q]!);
    for (r = 0; r + 1 < rows; r += 2) {
      const o = at(r0 + r, j0);
      const o1 = o + stride;
      const ya = y[r]!;
      const va = v2[r]!;
      const yb = y[r + 1]!;
      const vb = v2[r + 1]!;
      a[o] = r === 0 ? beta2 : 0;
      a[o1] = 0;
      for (let q = 1; q < len; q++) {
        const vq = v[q]!;
        const wq = w[q]!;
        a[o + q] = a[o + q]! - ya * vq - va * wq;
        a[o1 + q] = a[o1 + q]! - yb * vq - vb * wq;
      }
    }
    if (r < rows) {
      const o = at(r0 + r, j0);
      const ya = y[r]!;
      const va = v2[r]!;
      a[o] = r === 0 ? beta2 : 0;
      for (let q = 1; q < len; q++) a[o + q] = a[o + q]! - ya * v[q]! - va * w[q]!;
    }
    twoSided(a, stride, at(r0, r0), rows, v2, tau2, w);
    j0 = r0;
    len = rows;
    tau = tau2;
    v.set(v2.subarray(0, rows));
    publish(step + 1);
  }
  publish(0x7fffffff); // finished (a literal: the source travels without module constants)
}

/**
 * D ← H D H for the diagonal block D of order len whose (0, 0) entry is a[d0] (lower triangle
 * stored, rows `stride` apart) and H = I − τ v vᵀ, as LAPACK dsytd2: p = τ D v,
 * w = p − ½ τ (pᵀv) v, D ← D − v wᵀ − w vᵀ.
 */
export function twoSided(
  a: Float64Array,
  stride: number,
  d0: number,
  len: number,
  v: Float64Array,
  tau: number,
  p: Float64Array,
): void {
  if (tau === 0) return;
  p.fill(0, 0, len);
  for (let r = 0; r < len; r++) {
    const o = d0 + r * stride;
    const vr = v[r]!;
    let s = 0;
    for (let q = 0; q < r; q++) {
      const x = a[o + q]!;
      s += x * v[q]!;
      p[q] = p[q]! + x * vr;
    }
    p[r] = p[r]! + s + a[o + r]! * vr;
  }
  let pv = 0;
  for (let q = 0; q < len; q++) {
    p[q] = p[q]! * tau;
    pv += p[q]! * v[q]!;
  }
  const half = 0.5 * tau * pv;
  for (let q = 0; q < len; q++) p[q] = p[q]! - half * v[q]!;
  for (let r = 0; r < len; r++) {
    const o = d0 + r * stride;
    const vr = v[r]!;
    const pr = p[r]!;
    for (let q = 0; q <= r; q++) a[o + q] = a[o + q]! - vr * p[q]! - pr * v[q]!;
  }
}
