/**
 * AdamW with decoupled weight decay, torch.optim.AdamW semantics:
 *   m ← β1·m + (1−β1)·g,  v ← β2·v + (1−β2)·g²,
 *   p ← p − lr·( m̂/(√v̂ + ε) + wd·p ),  m̂ = m/(1−β1^k), v̂ = v/(1−β2^k).
 * Parameters whose names match `excludeFromWeightDecay` get wd = 0.
 */
import { add, div, mul, sqrt, sub } from '../ops/elementwise.js';
import { biasCorrection, checkEntries, matchesAny, type Optimizer, slotInput } from './common.js';

export interface AdamWOptions {
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
  readonly weightDecay?: number;
  /** Regex patterns of parameter names without weight decay. Default: bias, beta, gamma. */
  readonly excludeFromWeightDecay?: readonly string[];
}

export function adamw(options: AdamWOptions = {}): Optimizer {
  const beta1 = options.beta1 ?? 0.9;
  const beta2 = options.beta2 ?? 0.999;
  const epsilon = options.epsilon ?? 1e-8;
  const weightDecay = options.weightDecay ?? 0.01;
  const exclude = options.excludeFromWeightDecay ?? ['bias', 'beta', 'gamma'];
  return {
    kind: 'adamw',
    slots: ['m', 'v'],
    config: { beta1, beta2, epsilon, weightDecay, excludeFromWeightDecay: exclude },
    apply(graph, entries, step) {
      checkEntries('adamw', entries, step);
      return graph.untaped(() => {
        const dtype = step.lr.dtype as 'float32' | 'float64';
        const bc1 = biasCorrection(beta1, step.step, dtype);
        const bc2 = biasCorrection(beta2, step.step, dtype);
        return entries.map((e) => {
          const m0 = slotInput(graph, e, 'm');
          const v0 = slotInput(graph, e, 'v');
          const m = add(mul(m0, beta1), mul(e.grad, 1 - beta1));
          const v = add(mul(v0, beta2), mul(mul(e.grad, e.grad), 1 - beta2));
          let u = div(div(m, bc1), add(sqrt(div(v, bc2)), epsilon));
          if (weightDecay !== 0 && !matchesAny(e.name, exclude))
            u = add(u, mul(e.param, weightDecay));
          return {
            name: e.name,
            next: sub(e.param, mul(step.lr, u)),
            slots: [
              { slot: 'm', input: m0, output: m },
              { slot: 'v', input: v0, output: v },
            ],
          };
        });
      });
    },
  };
}
