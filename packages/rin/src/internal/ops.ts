/**
 * Small ops RIN needs that @ns/graph does not export, composed from its public pieces
 * (`Graph.emit` / `Graph.record` and existing ops).
 */
import {
  div,
  type Graph,
  greater,
  mul,
  reduceMean,
  reduceSum,
  reshape,
  type Shape,
  slice,
  sqrt,
  sub,
  type Tensor,
} from '@ns/graph';

/**
 * Tile a learned table [S, D] over the (possibly symbolic) batch of `like` → [B, S, D].
 * Workaround: @ns/graph's `expand` builds its target shape from static dims only, so a symbolic
 * batch needs Shape(like)[0:1] ++ [S, D] built here. The VJP sums the batch axis back.
 */
export function tileOverBatch(table: Tensor, like: Tensor): Tensor {
  const g = table.graph;
  const [S, D] = table.shape as [number, number];
  const row = reshape(table, [1, S, D]);
  const B = like.shape[0]!;
  const target = g.untaped(() => {
    const full = g.emit('Shape', [like], [{ shape: [like.rank], dtype: 'int64' }])[0]!;
    const batch = g.emit(
      'Slice',
      [full, g.constant([0], 'int64', [1]), g.constant([1], 'int64', [1])],
      [{ shape: [1], dtype: 'int64' }],
    )[0]!;
    return g.emit(
      'Concat',
      [batch, g.constant([S, D], 'int64', [2])],
      [{ shape: [3], dtype: 'int64' }],
      { axis: { int: 0 } },
    )[0]!;
  });
  const y = g.emit('Expand', [row, target], [{ shape: [B, S, D], dtype: row.dtype }])[0]!;
  g.record([row], [y], ([gy]) => [reduceSum(gy!, [0], true)]);
  return y;
}

/**
 * x / std(x) per example, population std over all non-batch axes, no epsilon — P2S
 * `normalize_noisy_input` (spec §3.5).
 */
export function normalizeVariance(x: Tensor): Tensor {
  const axes = x.shape.slice(1).map((_, i) => i + 1);
  const centred = sub(x, reduceMean(x, axes, true));
  return div(x, sqrt(reduceMean(mul(centred, centred), axes, true)));
}

/** (e − mean(e)) / std(e) over the last axis, population std, no epsilon. */
export function standardizeLast(e: Tensor): Tensor {
  const centred = sub(e, reduceMean(e, [-1], true));
  return div(centred, sqrt(reduceMean(mul(centred, centred), [-1], true)));
}

/**
 * A fresh bool keep-mask shaped like `like` (each element kept with probability 1 − rate), drawn
 * by ONNX RandomUniformLike with a fixed seed: a new draw on every run of the session,
 * reproducible from session start. Carries no gradient.
 */
export function randomKeep(like: Tensor, rate: number, seed: number): Tensor {
  const g: Graph = like.graph;
  const u = g.untaped(
    () =>
      g.emit('RandomUniformLike', [like], [{ shape: like.shape as Shape, dtype: like.dtype }], {
        low: { float: 0 },
        high: { float: 1 },
        seed: { float: seed },
      })[0]!,
  );
  return greater(u, rate);
}

/** Per-example slice [B, 1, 1] of a [B, T, D] tensor (a shape carrier for drop-path masks). */
export function perExample(like: Tensor): Tensor {
  return slice(like, [0, 0], [1, 1], [1, 2]);
}

/** Zeros [B, S, D] over the (possibly symbolic) batch of `like`; no gradient. */
export function zerosOverBatch(like: Tensor, S: number, D: number): Tensor {
  const g = like.graph;
  return g.untaped(() =>
    tileOverBatch(g.constant(new Array<number>(S * D).fill(0), g.dtype, [S, D]), like),
  );
}
