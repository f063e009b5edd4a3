/**
 * The residual units of a RIN block (spec §5.2, P2S `transformers.py`), all pre-LN on the query
 * stream only: cross-attention keys/values are never normalised.
 *
 *   read     Z ← Z + MHA(LN(Z), X, X);  Z ← Z + FFN(LN(Z))        width min(d, D), rw heads
 *   process  Z ← Z + DropPath(MHA(LN(Z)));  Z ← Z + DropPath(FFN(LN(Z)))   (dropout inside FFN)
 *   write    X ← X + MHA(LN(X), Z, Z);  X ← X + FFN(LN(X))        (FFN skipped when ratio is 0)
 *
 * Read and write units have no dropout or drop-path.
 */
import { add, dropout, gelu, nn, type Scope, type Tensor } from '@ns/graph';
import type { MaskSource } from './dropout.js';

/** All RIN LayerNorms use ε = 1e-6 (Keras layers in P2S). */
export const LN_EPSILON = 1e-6;

const ln = (scope: Scope, x: Tensor) => nn.layerNorm(scope, x, { epsilon: LN_EPSILON });

/** Regularisation of one process layer (absent in eval graphs and in read/write units). */
export interface Regularization {
  readonly masks: MaskSource;
  readonly dropout: number;
  readonly dropPath: number;
}

function lastDim(x: Tensor): number {
  return x.shape[x.rank - 1] as number;
}

/**
 * Dense(x → r·x) → GELU (exact) → dropout → Dense(r·x → x): P2S `FeedForwardLayer`. Dropout only
 * when `drop` is given (process layers in training); its mask is named `<drop.name>/units`.
 */
function feedForward(
  scope: Scope,
  x: Tensor,
  ratio: number,
  drop?: { readonly reg: Regularization; readonly name: string },
): Tensor {
  const width = lastDim(x);
  let h = gelu(nn.linear(scope.child('dense1'), x, width * ratio));
  if (drop && drop.reg.dropout > 0) {
    const rate = drop.reg.dropout;
    h = dropout(h, drop.reg.masks.keep(`${drop.name}/units`, h, rate, 'units'), rate);
  }
  return nn.linear(scope.child('dense2'), h, width);
}

/** Stochastic depth: the branch of an example is dropped whole, kept ones scaled by 1/(1−rate). */
function dropPath(branch: Tensor, reg: Regularization | undefined, maskName: string): Tensor {
  if (!reg || reg.dropPath === 0) return branch;
  const keep = reg.masks.keep(maskName, branch, reg.dropPath, 'path');
  return dropout(branch, keep, reg.dropPath);
}

/** Residual MLP unit `x + FFN(LN(x))` (P2S `MLP`, one block): scopes `ln_mlp`, `mlp`. */
export function residualMlp(scope: Scope, x: Tensor, ratio: number): Tensor {
  return add(x, feedForward(scope.child('mlp'), ln(scope.child('ln_mlp'), x), ratio));
}

export interface CrossOptions {
  readonly heads: number;
  /** Inner attention width, min(d, D). */
  readonly dim: number;
  readonly mlpRatio: number;
}

/** Read or write unit: `query` attends to `context` (no LN on the context), then the MLP. */
export function crossUnit(
  scope: Scope,
  query: Tensor,
  context: Tensor,
  options: CrossOptions,
): Tensor {
  const attended = nn.attention(scope.child('attn'), ln(scope.child('ln_attn'), query), context, {
    heads: options.heads,
    dim: options.dim,
  });
  const q = add(query, attended);
  return options.mlpRatio > 0 ? residualMlp(scope, q, options.mlpRatio) : q;
}

export interface ProcessOptions {
  readonly heads: number;
  readonly mlpRatio: number;
}

/** One latent self-attention ("process") layer, the only place with dropout and drop-path. */
export function processLayer(
  scope: Scope,
  z: Tensor,
  options: ProcessOptions,
  reg?: Regularization,
): Tensor {
  const path = scope.path;
  const attended = nn.attention(scope.child('attn'), ln(scope.child('ln_attn'), z), undefined, {
    heads: options.heads,
  });
  const z1 = add(z, dropPath(attended, reg, `${path}/attn`));
  const ff = feedForward(
    scope.child('mlp'),
    ln(scope.child('ln_mlp'), z1),
    options.mlpRatio,
    reg && { reg, name: `${path}/mlp` },
  );
  return add(z1, dropPath(ff, reg, `${path}/mlp`));
}
