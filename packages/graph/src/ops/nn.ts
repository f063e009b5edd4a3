/**
 * Neural-network ops with fused, hand-written VJPs (Softmax, LayerNormalization, exact GELU) and
 * composites (dropout with an explicit mask, patchify/unpatchify) that need no rule of their own.
 *
 * ORT's CPU provider has no float64 kernels for LayerNormalization, Gelu or Erf. In float64 graphs
 * LayerNorm is emitted as its decomposition (same outputs, same VJP), and GELU as 0.5·x·(1+erf(x/√2))
 * with the float64 erf of `erf64.ts`.
 */
import { GraphError } from '../errors.js';
import type { Tensor } from '../graph.js';
import { type Dim, formatShape, normAxis } from '../shape.js';
import { add, div, exp, mul, sqrt, sub, where } from './elementwise.js';
import { erfFloat64 } from './erf64.js';
import { reshape, transpose } from './movement.js';
import { reduceMean, reduceSum } from './reduce.js';
import { node1, requireFloat, requireSameDtype } from './util.js';

export function softmax(x: Tensor, axis = -1): Tensor {
  requireFloat('Softmax', x);
  const ax = normAxis('Softmax', axis, x.rank);
  const y = node1(x.graph, 'Softmax', [x], x.shape, x.dtype, { axis: { int: ax } });
  // dx = y ⊙ (g − Σ g⊙y)
  x.graph.record([x], [y], ([gy]) => {
    const gyy = mul(gy!, y);
    return [sub(gyy, mul(y, reduceSum(gyy, [ax], true)))];
  });
  return y;
}

/** erf without recording, in the graph's precision. */
function erfValue(x: Tensor): Tensor {
  return x.dtype === 'float32' ? node1(x.graph, 'Erf', [x], x.shape, 'float32') : erfFloat64(x);
}

/** Exact (erf) GELU: x·Φ(x). Forward is the Gelu-20 op; dx = g·(Φ(x) + x·φ(x)). */
export function gelu(x: Tensor): Tensor {
  requireFloat('Gelu', x);
  const g = x.graph;
  const y =
    x.dtype === 'float32'
      ? node1(g, 'Gelu', [x], x.shape, x.dtype)
      : g.untaped(() => mul(mul(x, 0.5), add(erfValue(mul(x, Math.SQRT1_2)), 1)));
  g.record([x], [y], ([gy]) => {
    const cdf = mul(add(erfValue(mul(x, Math.SQRT1_2)), 1), 0.5);
    const pdf = mul(exp(mul(mul(x, x), -0.5)), 1 / Math.sqrt(2 * Math.PI));
    return [mul(gy!, add(cdf, mul(x, pdf)))];
  });
  return y;
}

/**
 * LayerNormalization over the last axis with scale `gamma` and shift `beta` (both [D]).
 * Backward reuses the op's Mean and InvStdDev outputs.
 */
export function layerNorm(x: Tensor, gamma: Tensor, beta: Tensor, epsilon = 1e-5): Tensor {
  requireFloat('LayerNormalization', x);
  requireSameDtype('LayerNormalization', x, gamma);
  requireSameDtype('LayerNormalization', x, beta);
  const g = x.graph;
  const D = x.shape[x.rank - 1];
  for (const [what, p] of [
    ['gamma', gamma],
    ['beta', beta],
  ] as const) {
    if (p.rank !== 1 || p.shape[0] !== D) {
      throw new GraphError(
        'shape_mismatch',
        `LayerNormalization: ${what} must be [${D}] for input ${formatShape(x.shape)}, got ${formatShape(p.shape)}`,
      );
    }
  }
  if (typeof D !== 'number')
    throw new GraphError(
      'shape_mismatch',
      `LayerNormalization: last dim of ${formatShape(x.shape)} is symbolic`,
    );
  const stat: Dim[] = [...x.shape.slice(0, -1), 1];
  let y: Tensor;
  let mean: Tensor;
  let rstd: Tensor;
  if (x.dtype === 'float32') {
    [y, mean, rstd] = g.emit(
      'LayerNormalization',
      [x, gamma, beta],
      [
        { shape: x.shape, dtype: x.dtype },
        { shape: stat, dtype: x.dtype },
        { shape: stat, dtype: x.dtype },
      ],
      { axis: { int: -1 }, epsilon: { float: epsilon }, stash_type: { int: 1 } },
    ) as [Tensor, Tensor, Tensor];
  } else {
    [y, mean, rstd] = g.untaped(() => {
      const m = reduceMean(x, [-1], true);
      const xc = sub(x, m);
      const r = div(1, sqrt(add(reduceMean(mul(xc, xc), [-1], true), epsilon)));
      return [add(mul(mul(xc, r), gamma), beta), m, r] as const;
    });
  }
  g.record([x, gamma, beta], [y], ([gy], needs) => {
    const G = gy!;
    const xhat = mul(sub(x, mean), rstd);
    const lead = x.shape.slice(0, -1).map((_, i) => i);
    const dgamma = needs[1] ? reduceSum(mul(G, xhat), lead) : null;
    const dbeta = needs[2] ? reduceSum(G, lead) : null;
    let dx: Tensor | null = null;
    if (needs[0]) {
      // dx = rstd·(ĝ − mean(ĝ) − x̂·mean(ĝ⊙x̂)), ĝ = g⊙γ
      const gh = mul(G, gamma);
      const m1 = reduceMean(gh, [-1], true);
      const m2 = reduceMean(mul(gh, xhat), [-1], true);
      dx = mul(rstd, sub(sub(gh, m1), mul(xhat, m2)));
    }
    return [dx, dgamma, dbeta];
  });
  return y;
}

/**
 * Inverted dropout with an explicit keep-mask (bool, broadcastable to x): kept values are scaled
 * by 1/(1−rate). The mask is an input so runs are reproducible; see `dropoutMask` for one.
 */
export function dropout(x: Tensor, keep: Tensor, rate: number): Tensor {
  if (!(rate >= 0 && rate < 1))
    throw new GraphError('invalid_argument', `dropout: rate must be in [0, 1), got ${rate}`);
  if (rate === 0) return x;
  return where(keep, mul(x, 1 / (1 - rate)), 0);
}

export type ImageLayout = 'nhwc' | 'nchw';

/**
 * Image [B, H, W, C] (or [B, C, H, W]) → patch tokens [B, (H/p)·(W/p), p·p·C], each token
 * flattened in (row, col, channel) order like a stride-p convolution kernel.
 */
export function patchify(x: Tensor, patch: number, layout: ImageLayout = 'nhwc'): Tensor {
  if (x.rank !== 4)
    throw new GraphError(
      'shape_mismatch',
      `patchify: expected a 4-D image, got ${formatShape(x.shape)}`,
    );
  const [B, a, b, c] = x.shape as [Dim, Dim, Dim, Dim];
  const [H, W, C] = layout === 'nhwc' ? [a, b, c] : [b, c, a];
  if (
    typeof H !== 'number' ||
    typeof W !== 'number' ||
    typeof C !== 'number' ||
    H % patch ||
    W % patch
  ) {
    throw new GraphError(
      'shape_mismatch',
      `patchify: H and W of ${formatShape(x.shape)} (${layout}) must be static multiples of ${patch}`,
    );
  }
  const [h, w] = [H / patch, W / patch];
  const split =
    layout === 'nhwc'
      ? transpose(reshape(x, [B, h, patch, w, patch, C]), [0, 1, 3, 2, 4, 5])
      : transpose(reshape(x, [B, C, h, patch, w, patch]), [0, 2, 4, 3, 5, 1]);
  return reshape(split, [B, h * w, patch * patch * C]);
}

/** Inverse of `patchify`: tokens [B, N, p·p·C] → image of height H and width W. */
export function unpatchify(
  tokens: Tensor,
  patch: number,
  height: number,
  width: number,
  layout: ImageLayout = 'nhwc',
): Tensor {
  const [B, N, F] = tokens.shape as [Dim, Dim, Dim];
  const [h, w] = [height / patch, width / patch];
  if (
    tokens.rank !== 3 ||
    !Number.isInteger(h) ||
    !Number.isInteger(w) ||
    N !== h * w ||
    typeof F !== 'number' ||
    F % (patch * patch)
  ) {
    throw new GraphError(
      'shape_mismatch',
      `unpatchify: tokens ${formatShape(tokens.shape)} do not tile a ${height}×${width} image with patch ${patch}`,
    );
  }
  const C = F / (patch * patch);
  const grid = reshape(tokens, [B, h, w, patch, patch, C]);
  return layout === 'nhwc'
    ? reshape(transpose(grid, [0, 1, 3, 2, 4, 5]), [B, height, width, C])
    : reshape(transpose(grid, [0, 5, 1, 3, 2, 4]), [B, C, height, width]);
}
