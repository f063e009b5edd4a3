/**
 * @ns/random — the one seeded generator every @ns package draws from: the trainer's noise and
 * masks, parameter initialisation, the sampler's noise, data order and augmentation, and metric
 * subsets. Zero dependencies; Node and browsers.
 */
export { Rng, type RngState } from './rng.js';
