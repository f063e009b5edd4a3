import { fail } from '../errors.js';

export interface LabelAgreementOptions {
  /** Softmax probability the own label must reach (default 0.9). */
  threshold?: number;
}

export interface LabelAgreementResult {
  /** Fraction of images whose own label has softmax probability ≥ threshold. */
  readonly agreement: number;
  /** How many images agreed, of `count`. */
  readonly agreed: number;
  readonly count: number;
  readonly threshold: number;
  /** Fraction per class (NaN for a class with no image). */
  readonly perClass: Float64Array;
}

/**
 * Label agreement of class-conditional samples: the fraction that a classifier assigns to the
 * label they were generated for with probability ≥ `threshold` (softmax of `logits`, computed
 * stably as exp(zᵢ − max z) / Σ exp(z − max z)). A confident-and-correct rate, so a blurred digit
 * that the classifier calls "3" at 0.6 does not count.
 */
export function labelAgreement(
  logits: ArrayLike<number>,
  labels: ArrayLike<number>,
  classes: number,
  options: LabelAgreementOptions = {},
): LabelAgreementResult {
  const threshold = options.threshold ?? 0.9;
  if (!(threshold > 0 && threshold <= 1)) fail('threshold', 'a probability in (0, 1]', threshold);
  if (!Number.isSafeInteger(classes) || classes < 2) fail('classes', 'an integer ≥ 2', classes);
  const count = labels.length;
  if (count === 0) fail('labels', 'at least one label', 0);
  if (logits.length !== count * classes) {
    fail('logits', `${count} × ${classes} values (one row per label)`, logits.length);
  }
  let agreed = 0;
  const hits = new Float64Array(classes);
  const totals = new Float64Array(classes);
  for (let i = 0; i < count; i++) {
    const label = labels[i]!;
    if (!Number.isInteger(label) || label < 0 || label >= classes) {
      fail(`labels[${i}]`, `a class index in [0, ${classes})`, label);
    }
    const row = i * classes;
    let max = Number.NEGATIVE_INFINITY;
    for (let c = 0; c < classes; c++) max = Math.max(max, logits[row + c]!);
    let sum = 0;
    for (let c = 0; c < classes; c++) sum += Math.exp(logits[row + c]! - max);
    const probability = Math.exp(logits[row + label]! - max) / sum;
    totals[label]! += 1;
    if (probability >= threshold) {
      agreed++;
      hits[label]! += 1;
    }
  }
  const perClass = hits.map((h, c) => (totals[c] === 0 ? Number.NaN : h / totals[c]!));
  return { agreement: agreed / count, agreed, count, threshold, perClass };
}
