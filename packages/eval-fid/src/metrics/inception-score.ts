import { fail } from '../errors.js';
import type { FeatureMatrix } from '../features.js';

export interface InceptionScoreResult {
  /** Mean over splits of exp(E_x KL(p(y|x) ‖ p(y))). */
  readonly mean: number;
  /** Standard deviation over splits (population, as numpy's std in the reference code). */
  readonly std: number;
  readonly scores: Float64Array;
}

/**
 * Inception Score from classifier logits (N × classes, e.g. the 1008 logits of the FID
 * Inception, or `pool3 @ fc.weightᵀ` as torch-fidelity's `logits_unbiased`). Splits are the
 * contiguous row ranges [⌊kN/s⌋, ⌊(k+1)N/s⌋) as in the original implementation; shuffle the
 * rows first if the order is not random. Softmax and logs are done in float64 with the
 * max-subtraction trick, so large logits do not overflow.
 */
export function inceptionScore(logits: FeatureMatrix, splits = 10): InceptionScoreResult {
  const { rows: n, dim: c } = logits;
  if (!Number.isSafeInteger(splits) || splits < 1 || splits > n) {
    fail('splits', `an integer in [1, ${n}] (the number of samples)`, splits);
  }
  // log-softmax per row
  const logp = new Float64Array(n * c);
  for (let i = 0; i < n; i++) {
    let max = Number.NEGATIVE_INFINITY;
    for (let j = 0; j < c; j++) max = Math.max(max, logits.data[i * c + j]!);
    let z = 0;
    for (let j = 0; j < c; j++) z += Math.exp(logits.data[i * c + j]! - max);
    const logZ = max + Math.log(z);
    for (let j = 0; j < c; j++) logp[i * c + j] = logits.data[i * c + j]! - logZ;
  }
  const scores = new Float64Array(splits);
  for (let k = 0; k < splits; k++) {
    const start = Math.floor((k * n) / splits);
    const end = Math.floor(((k + 1) * n) / splits);
    const rows = end - start;
    const marginal = new Float64Array(c);
    for (let i = start; i < end; i++) {
      for (let j = 0; j < c; j++) marginal[j] = marginal[j]! + Math.exp(logp[i * c + j]!);
    }
    const logMarginal = marginal.map((v) => Math.log(v / rows));
    let kl = 0;
    for (let i = start; i < end; i++) {
      for (let j = 0; j < c; j++) {
        const lp = logp[i * c + j]!;
        const p = Math.exp(lp);
        if (p > 0) kl += p * (lp - logMarginal[j]!);
      }
    }
    scores[k] = Math.exp(kl / rows);
  }
  const mean = scores.reduce((s, v) => s + v, 0) / splits;
  const std = Math.sqrt(scores.reduce((s, v) => s + (v - mean) ** 2, 0) / splits);
  return { mean, std, scores };
}
