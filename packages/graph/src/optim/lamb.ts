/**
 * LAMB with the semantics of tfa.optimizers.LAMB (paper spec §3.7):
 *   m, v, m̂, v̂ as Adam;  u = m̂/(√v̂ + ε) (+ wd·w unless excluded from decay);
 *   r = ‖w‖/‖u‖ per tensor (1 when either norm is 0, or when excluded from layer adaptation);
 *   w ← w − lr·r·u.
 * `excludeFromLayerAdaptation` defaults to the weight-decay exclusions, as in tfa.
 */
import { add, div, greater, mul, sqrt, sub, where } from '../ops/elementwise.js';
import {
  biasCorrection,
  checkEntries,
  l2norm,
  matchesAny,
  type Optimizer,
  slotInput,
} from './common.js';

export interface LambOptions {
  readonly beta1?: number;
  readonly beta2?: number;
  readonly epsilon?: number;
  readonly weightDecay?: number;
  readonly excludeFromWeightDecay?: readonly string[];
  readonly excludeFromLayerAdaptation?: readonly string[];
}

export function lamb(options: LambOptions = {}): Optimizer {
  const beta1 = options.beta1 ?? 0.9;
  const beta2 = options.beta2 ?? 0.999;
  const epsilon = options.epsilon ?? 1e-8;
  const weightDecay = options.weightDecay ?? 0.01;
  const excludeDecay = options.excludeFromWeightDecay ?? ['bias', 'beta', 'gamma'];
  const excludeAdapt = options.excludeFromLayerAdaptation ?? excludeDecay;
  return {
    kind: 'lamb',
    slots: ['m', 'v'],
    config: {
      beta1,
      beta2,
      epsilon,
      weightDecay,
      excludeFromWeightDecay: excludeDecay,
      excludeFromLayerAdaptation: excludeAdapt,
    },
    apply(graph, entries, step) {
      checkEntries('lamb', entries, step);
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
          if (weightDecay !== 0 && !matchesAny(e.name, excludeDecay))
            u = add(u, mul(e.param, weightDecay));
          let scaled = mul(step.lr, u);
          if (!matchesAny(e.name, excludeAdapt)) {
            const wn = l2norm(e.param);
            const un = l2norm(u);
            const ratio = where(greater(wn, 0), where(greater(un, 0), div(wn, un), 1), 1);
            scaled = mul(ratio, scaled);
          }
          return {
            name: e.name,
            next: sub(e.param, scaled),
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
