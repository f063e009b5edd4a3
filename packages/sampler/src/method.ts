import type { DdpmVariance } from '@ns/schedules';

/**
 * Sampler names: the reference configs' `ddim`, `ddpm` (= `ddpm@large`) and `ddpm@small`, and the
 * ODE solvers as k-diffusion names them: `dpmpp_2m` (DPM-Solver++(2M)), `euler`, `heun`, and
 * `dpmpp_2m_sde` (SDE-DPM-Solver++(2M), which injects noise as DDPM does).
 */
export type SamplerName =
  | 'ddim'
  | 'ddpm'
  | 'ddpm@large'
  | 'ddpm@small'
  | 'dpmpp_2m'
  | 'dpmpp_2m_sde'
  | 'euler'
  | 'heun';

export const SAMPLER_NAMES: readonly SamplerName[] = [
  'ddim',
  'ddpm',
  'ddpm@large',
  'ddpm@small',
  'dpmpp_2m',
  'dpmpp_2m_sde',
  'euler',
  'heun',
];

export type SamplerMethod =
  | { readonly kind: 'ddim' }
  | { readonly kind: 'ddpm'; readonly variance: DdpmVariance }
  | { readonly kind: 'dpmpp_2m' }
  | { readonly kind: 'dpmpp_2m_sde' }
  | { readonly kind: 'euler' }
  | { readonly kind: 'heun' };

/** Parses a sampler name; anything else is a RangeError listing the valid names. */
export function parseSampler(name: string): SamplerMethod {
  switch (name) {
    case 'ddim':
    case 'dpmpp_2m':
    case 'dpmpp_2m_sde':
    case 'euler':
    case 'heun':
      return { kind: name };
    case 'ddpm':
    case 'ddpm@large':
      return { kind: 'ddpm', variance: 'large' };
    case 'ddpm@small':
      return { kind: 'ddpm', variance: 'small' };
    default:
      throw new RangeError(
        `\`sampler\` must be one of ${SAMPLER_NAMES.join(', ')}, got ${JSON.stringify(name)}`,
      );
  }
}
