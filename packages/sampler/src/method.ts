import type { DdpmVariance } from '@ns/schedules';

/** Sampler names as in the reference configs: `ddim`, `ddpm` (= `ddpm@large`), `ddpm@small`. */
export type SamplerName = 'ddim' | 'ddpm' | 'ddpm@large' | 'ddpm@small';

export const SAMPLER_NAMES: readonly SamplerName[] = ['ddim', 'ddpm', 'ddpm@large', 'ddpm@small'];

export type SamplerMethod =
  | { readonly kind: 'ddim' }
  | { readonly kind: 'ddpm'; readonly variance: DdpmVariance };

/** Parses a sampler name; anything else is a RangeError listing the valid names. */
export function parseSampler(name: string): SamplerMethod {
  switch (name) {
    case 'ddim':
      return { kind: 'ddim' };
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
