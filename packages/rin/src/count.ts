/**
 * Parameter and FLOP counts as pure functions of the config (spec §5.3). Parts are named after the
 * parameter scopes of the built graph (`stem/…`, `block0/read/…`), so a test can group the graph's
 * parameters by scope and compare part by part.
 */
import { crossAttentionDim, interfaceTokens, learnedLatents, type RinConfig } from './config.js';

export interface CountPart {
  /** Scope prefix of the part's parameters in the graph (e.g. `block1/process`). */
  readonly name: string;
  readonly params: number;
}

export interface ParamBreakdown {
  readonly total: number;
  readonly parts: readonly CountPart[];
}

/** Dense layer in → out with bias. */
const dense = (i: number, o: number) => i * o + o;
/** LayerNorm scale and bias. */
const ln = (x: number) => 2 * x;
/** Keras MultiHeadAttention: q from `q`, k/v from `kv`, inner width `k`, output `o`, with biases. */
const mha = (q: number, kv: number, k: number, o: number) =>
  dense(q, k) + 2 * dense(kv, k) + dense(k, o);
/** Residual MLP unit: pre-LN, Dense x→rx, Dense rx→x; nothing when r = 0. */
const mlp = (x: number, r: number) => (r === 0 ? 0 : ln(x) + dense(x, r * x) + dense(r * x, x));

/** Per-part parameter count (spec §5.3). */
export function paramBreakdown(c: RinConfig): ParamBreakdown {
  const d = c.interfaceDim;
  const D = c.latentDim;
  const P = c.patchSize * c.patchSize * c.channels;
  const k = crossAttentionDim(c);
  const parts: CountPart[] = [
    { name: 'stem', params: dense(P, d) + ln(d) },
    { name: 'interface_pos_emb', params: interfaceTokens(c) * d },
    { name: 'latent_pos_emb', params: learnedLatents(c) * D },
    { name: 'time_emb', params: dense(D / 4, D) + dense(D, D) },
  ];
  if (c.numClasses > 0) parts.push({ name: 'class_emb', params: dense(c.numClasses, D) });
  if (c.selfCondition === 'latent')
    parts.push({ name: 'self_cond', params: mlp(D, c.latentMlpRatio) + ln(D) });
  c.blocks.forEach((K, i) => {
    parts.push({
      name: `block${i}/read`,
      params: ln(D) + mha(D, d, k, D) + mlp(D, c.latentMlpRatio),
    });
    if (K > 0)
      parts.push({
        name: `block${i}/process`,
        params: K * (ln(D) + mha(D, D, D, D) + mlp(D, c.latentMlpRatio)),
      });
    parts.push({
      name: `block${i}/write`,
      params: ln(d) + mha(d, D, k, d) + mlp(d, c.interfaceMlpRatio),
    });
  });
  parts.push({ name: 'readout', params: ln(d) + dense(d, P) });
  return { total: parts.reduce((s, p) => s + p.params, 0), parts };
}

/** Total number of parameters. */
export function paramCount(c: RinConfig): number {
  return paramBreakdown(c).total;
}

export interface FlopCount {
  /** Floating-point operations of one forward pass for one example (2 per multiply-add). */
  readonly total: number;
  readonly parts: readonly { readonly name: string; readonly flops: number }[];
}

/**
 * FLOPs of one forward pass per example, counting matrix products only (2 per multiply-add):
 * dense layers, attention scores and attention-weighted values. Norms, softmax and activations
 * are O(activations) and left out, as is customary.
 */
export function forwardFlops(c: RinConfig): FlopCount {
  const d = c.interfaceDim;
  const D = c.latentDim;
  const n = interfaceTokens(c);
  const L = c.latents;
  const P = c.patchSize * c.patchSize * c.channels;
  const k = crossAttentionDim(c);
  const mm = (rows: number, i: number, o: number) => 2 * rows * i * o;
  // queries from T tokens of width q, keys/values from S tokens of width kv, inner width w.
  const attn = (T: number, q: number, S: number, kv: number, w: number, o: number) =>
    mm(T, q, w) + 2 * mm(S, kv, w) + 2 * mm(T, S, w) + mm(T, w, o);
  const ffn = (T: number, x: number, r: number) => 2 * mm(T, x, r * x);
  const parts: { name: string; flops: number }[] = [
    { name: 'stem', flops: mm(n, P, d) },
    { name: 'time_emb', flops: mm(1, D / 4, D) + mm(1, D, D) },
  ];
  if (c.selfCondition === 'latent')
    parts.push({ name: 'self_cond', flops: ffn(L, D, c.latentMlpRatio) });
  c.blocks.forEach((K, i) => {
    parts.push({
      name: `block${i}/read`,
      flops: attn(L, D, n, d, k, D) + ffn(L, D, c.latentMlpRatio),
    });
    if (K > 0)
      parts.push({
        name: `block${i}/process`,
        flops: K * (attn(L, D, L, D, D, D) + ffn(L, D, c.latentMlpRatio)),
      });
    parts.push({
      name: `block${i}/write`,
      flops: attn(n, d, L, D, k, d) + ffn(n, d, c.interfaceMlpRatio),
    });
  });
  parts.push({ name: 'readout', flops: mm(n, d, P) });
  return { total: parts.reduce((s, p) => s + p.flops, 0), parts };
}
