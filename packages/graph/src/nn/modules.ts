/**
 * Module helpers: functions of (scope, inputs, options) that declare their parameters in the scope
 * and return the output tensor. Parameter names: `<scope>/kernel`, `<scope>/bias`,
 * `<scope>/gamma`, `<scope>/beta` (Keras names, so LAMB/AdamW exclusions apply as in the paper).
 */
import { GraphError } from '../errors.js';
import type { Tensor } from '../graph.js';
import { add, mul, silu, tanh } from '../ops/elementwise.js';
import { matmul } from '../ops/matmul.js';
import { reshape, transpose } from '../ops/movement.js';
import { gelu, layerNorm as layerNormOp, softmax } from '../ops/nn.js';
import { type Initializer, init, type Scope } from '../params.js';
import { type Dim, formatShape } from '../shape.js';

function lastDim(op: string, x: Tensor): number {
  const d = x.shape[x.rank - 1];
  if (typeof d !== 'number')
    throw new GraphError(
      'shape_mismatch',
      `${op}: last dim of ${formatShape(x.shape)} must be static`,
    );
  return d;
}

export interface LinearOptions {
  readonly bias?: boolean;
  readonly kernelInit?: Initializer;
  readonly biasInit?: Initializer;
}

/** x·W + b over the last axis; W is [in, out]. */
export function linear(scope: Scope, x: Tensor, out: number, options: LinearOptions = {}): Tensor {
  const { bias = true, kernelInit = init.glorotUniform(), biasInit = init.zeros() } = options;
  const W = scope.param('kernel', [lastDim('linear', x), out], kernelInit);
  const y = matmul(x, W);
  return bias ? add(y, scope.param('bias', [out], biasInit)) : y;
}

/** LayerNorm over the last axis with learned gamma (ones) and beta (zeros). */
export function layerNorm(scope: Scope, x: Tensor, options: { epsilon?: number } = {}): Tensor {
  const D = lastDim('layerNorm', x);
  return layerNormOp(
    x,
    scope.param('gamma', [D], init.ones()),
    scope.param('beta', [D], init.zeros()),
    options.epsilon ?? 1e-5,
  );
}

export type Activation = 'gelu' | 'silu' | 'tanh';
const ACTIVATIONS: Record<Activation, (x: Tensor) => Tensor> = { gelu, silu, tanh };

export interface MlpOptions {
  readonly hidden: number;
  readonly out?: number;
  readonly activation?: Activation;
}

/** dense1 → activation → dense2 (sub-scopes 'dense1', 'dense2'). */
export function mlp(scope: Scope, x: Tensor, options: MlpOptions): Tensor {
  const act = ACTIVATIONS[options.activation ?? 'gelu'];
  const h = act(linear(scope.child('dense1'), x, options.hidden));
  return linear(scope.child('dense2'), h, options.out ?? lastDim('mlp', x));
}

export interface AttentionOptions {
  readonly heads: number;
  /** Total width of queries/keys/values (default: the query input's width). */
  readonly dim?: number;
  /** Output width (default: the query input's width). */
  readonly out?: number;
}

/**
 * Multi-head attention. Self-attention when `context` is omitted, cross-attention otherwise.
 * Inputs are [B, T, D] and [B, S, Dc]; sub-scopes 'query', 'key', 'value', 'out'.
 */
export function attention(
  scope: Scope,
  x: Tensor,
  context: Tensor | undefined,
  options: AttentionOptions,
): Tensor {
  const kv = context ?? x;
  if (x.rank !== 3 || kv.rank !== 3) {
    throw new GraphError(
      'shape_mismatch',
      `attention: expected [B, T, D] inputs, got ${formatShape(x.shape)} and ${formatShape(kv.shape)}`,
    );
  }
  const D = lastDim('attention', x);
  const width = options.dim ?? D;
  const H = options.heads;
  if (width % H !== 0)
    throw new GraphError(
      'invalid_argument',
      `attention: width ${width} is not divisible by heads ${H}`,
    );
  const dh = width / H;
  const [B, T] = x.shape as [Dim, Dim];
  const S = kv.shape[1]!;
  const heads = (t: Tensor, len: Dim) => transpose(reshape(t, [B, len, H, dh]), [0, 2, 1, 3]); // [B,H,len,dh]
  const q = heads(linear(scope.child('query'), x, width), T);
  const k = heads(linear(scope.child('key'), kv, width), S);
  const v = heads(linear(scope.child('value'), kv, width), S);
  const scores = mul(matmul(q, transpose(k, [0, 1, 3, 2])), 1 / Math.sqrt(dh)); // [B,H,T,S]
  const ctx = matmul(softmax(scores, -1), v); // [B,H,T,dh]
  const merged = reshape(transpose(ctx, [0, 2, 1, 3]), [B, T, width]);
  return linear(scope.child('out'), merged, options.out ?? D);
}

export interface TransformerBlockOptions {
  readonly heads: number;
  readonly mlpRatio?: number;
  readonly activation?: Activation;
}

/** Pre-LN block: x + attn(LN(x)), then + mlp(LN(·)). */
export function transformerBlock(
  scope: Scope,
  x: Tensor,
  options: TransformerBlockOptions,
): Tensor {
  const D = lastDim('transformerBlock', x);
  const h = add(
    x,
    attention(scope.child('attn'), layerNorm(scope.child('ln1'), x), undefined, {
      heads: options.heads,
    }),
  );
  const m = mlp(scope.child('mlp'), layerNorm(scope.child('ln2'), h), {
    hidden: D * (options.mlpRatio ?? 4),
    activation: options.activation ?? 'gelu',
  });
  return add(h, m);
}
