/**
 * Loss weightings over the noise level, as weights on the per-example MSE of the network's own
 * target (ε, x or v). Each is defined on the ε loss, w_ε(γ), and carried to the other targets by
 * the exact equivalences at fixed x_t: ‖ε − ε̂‖² = SNR·‖x − x̂‖² = γ·‖v − v̂‖², so
 * w_x = SNR·w_ε and w_v = γ·w_ε (SNR = γ/(1 − γ), λ = log SNR):
 *
 *   eps           no weight: the plain MSE of the network's own target (the paper's loss; for
 *                 an ε network the ε loss of Ho et al. 2020)
 *   min_snr@g     w_ε = min(SNR, g)/SNR                      (Hang et al. 2023, Min-SNR-γ): w_x =
 *                 min(SNR, g), w_v = min(SNR, g)/(SNR + 1)
 *   sigmoid@b     w_ε = σ(b − λ)                             (Kingma & Gao 2023)
 *   edm[@σ_d]     w_ε = 1 + σ²/σ_d², σ² = 1/SNR              (Karras et al. 2022: λ(σ) =
 *                 (σ² + σ_d²)/(σ·σ_d)² on the x loss; σ_d defaults to 0.5, data in [−1, 1])
 *
 * Every weight is written in a form without 1/(1 − γ) or 1/γ where it can be (γ reaches 1 − 1e-9
 * and 1e-9 under the clipped schedules), and computed in the training graph from γ.
 */
import { add, div, less, mul, type Operand, sub, type Tensor, where } from '@ns/graph';
import type { Prediction } from '@ns/schedules';
import { TrainerError } from './errors.js';

export type Weighting =
  | { readonly kind: 'eps' }
  | { readonly kind: 'min_snr'; readonly gamma: number }
  | { readonly kind: 'sigmoid'; readonly bias: number }
  | { readonly kind: 'edm'; readonly sigmaData: number };

export const WEIGHTING_FORMS = ['eps', 'min_snr@g', 'sigmoid@b', 'edm', 'edm@sigma_data'] as const;

/** Parses `eps`, `min_snr@5`, `sigmoid@-1`, `edm` or `edm@0.5`; errors list the forms. */
export function parseWeighting(spec: string): Weighting {
  const [name, arg, ...rest] = spec.trim().split('@');
  const value = arg === undefined ? undefined : Number(arg);
  const bad = (why: string): never => {
    throw new TrainerError(
      'invalid_argument',
      `--weighting ${JSON.stringify(spec)}: ${why} (forms: ${WEIGHTING_FORMS.join(', ')})`,
    );
  };
  if (rest.length > 0 || (arg !== undefined && !Number.isFinite(value)))
    bad('expected one number after @');
  switch (name) {
    case 'eps':
      if (arg !== undefined) bad('eps takes no argument');
      return { kind: 'eps' };
    case 'min_snr':
      if (!(value !== undefined && value > 0)) bad('min_snr needs γ > 0, e.g. min_snr@5');
      return { kind: 'min_snr', gamma: value! };
    case 'sigmoid':
      if (value === undefined) bad('sigmoid needs its bias, e.g. sigmoid@-1');
      return { kind: 'sigmoid', bias: value! };
    case 'edm':
      if (value !== undefined && !(value > 0)) bad('edm needs σ_data > 0');
      return { kind: 'edm', sigmaData: value ?? 0.5 };
    default:
      return bad(`unknown weighting '${name}'`);
  }
}

export function formatWeighting(w: Weighting): string {
  switch (w.kind) {
    case 'eps':
      return 'eps';
    case 'min_snr':
      return `min_snr@${w.gamma}`;
    case 'sigmoid':
      return `sigmoid@${w.bias}`;
    case 'edm':
      return w.sigmaData === 0.5 ? 'edm' : `edm@${w.sigmaData}`;
  }
}

const min = (a: Tensor, b: Operand): Tensor => where(less(a, b), a, b);

/**
 * The weight of each example's target MSE, [B], from its γ [B]: the weighting's w_ε carried to
 * `target`. Undefined for `eps` on an ε target (the unweighted loss, kept bit for bit).
 */
export function lossWeights(w: Weighting, gamma: Tensor, target: Prediction): Tensor | undefined {
  const oneMinus = sub(1, gamma);
  switch (w.kind) {
    case 'eps':
      return undefined;
    case 'min_snr': {
      const g = w.gamma;
      if (target === 'eps') return min(div(mul(oneMinus, g), gamma), 1); // min(1, g/SNR)
      if (target === 'x') return min(div(gamma, oneMinus), g); // min(SNR, g)
      return min(gamma, mul(oneMinus, g)); // min(SNR, g)·(1 − γ)
    }
    case 'sigmoid': {
      // σ(b − λ) = (1 − γ)/((1 − γ) + γ·e^{−b})
      const denominator = add(oneMinus, mul(gamma, Math.exp(-w.bias)));
      if (target === 'eps') return div(oneMinus, denominator);
      if (target === 'x') return div(gamma, denominator);
      return div(mul(gamma, oneMinus), denominator);
    }
    case 'edm': {
      const inv = 1 / (w.sigmaData * w.sigmaData);
      // w_ε = 1 + (1 − γ)/(γ σ_d²)
      if (target === 'eps') return add(div(mul(oneMinus, inv), gamma), 1);
      if (target === 'x') return add(div(gamma, oneMinus), inv); // SNR + 1/σ_d²
      return add(gamma, mul(oneMinus, inv)); // γ + (1 − γ)/σ_d²
    }
  }
}
