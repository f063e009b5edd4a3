/**
 * Small composites RIN needs, built from @ns/graph's public ops. The one workaround: @ns/graph has
 * no random op, so `randomKeep` emits ONNX RandomUniformLike through the public `Graph.emit`.
 */
import {
  div,
  expand,
  type Graph,
  greater,
  mul,
  reduceMean,
  reshape,
  type Shape,
  slice,
  sqrt,
  sub,
  type Tensor,
} from '@ns/graph';

/** Tile a learned table [S, D] over the (possibly symbolic) batch of `like` → [B, S, D]. */
export function tileOverBatch(table: Tensor, like: Tensor): Tensor {
  const [S, D] = table.shape as [number, number];
  return expand(reshape(table, [1, S, D]), [like.shape[0]!, S, D], like);
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
  return g.untaped(() => expand(g.constant(0, g.dtype, [1, 1, 1]), [like.shape[0]!, S, D], like));
}
