/**
 * Seeded outputs of `ddpm`, `ddpm@small` and `ddim` pinned bit for bit, so any change to their
 * arithmetic fails here. The `ddim` digests were computed with the sampler as it was before the
 * solvers were split into one function each and the loop was made allocation-free (commit
 * 34c400f). The `ddpm` ones were computed again when the per-step noise z moved from Box–Muller to
 * `Rng.zigguratNormals` (x_T still comes from Box–Muller, which is why `ddim` did not change);
 * sample.test.ts checks that loop against the @ns/schedules step maths written out by hand.
 */
import { createHash } from 'node:crypto';
import type { Prediction } from '@ns/schedules';
import { type Denoiser, type SamplerName, sample } from '../src/index.js';

const shape = { batch: 5, height: 6, width: 4, channels: 3 };
const size = shape.height * shape.width * shape.channels;

/**
 * A deterministic stand-in for a network: nonlinear in x and γ, label-dependent (so guidance
 * changes the result) and with hidden state that feeds back into the prediction.
 */
const toy: Denoiser = async ({ x, gamma, latentsPrev, labels, labelMask }) => {
  const prediction = new Float32Array(x.length);
  for (let i = 0; i < x.length; i++) {
    const b = Math.floor(i / size);
    const label = labelMask[b] === 1 ? labels[b]! + 1 : 0;
    const hidden = latentsPrev.length > 0 ? latentsPrev[b * 2]! : 0;
    prediction[i] =
      0.9 * Math.tanh(x[i]!) + 0.3 * Math.sin(5 * gamma[b]! + 0.1 * i + label) + 0.01 * hidden;
  }
  const latents = Float32Array.from(latentsPrev, (v, j) => 0.5 * v + Math.cos(j + gamma[0]!));
  return { prediction, latents };
};

function digest(values: Float64Array | Float32Array): string {
  return createHash('sha256')
    .update(new Uint8Array(values.buffer, values.byteOffset, values.byteLength))
    .digest('hex')
    .slice(0, 16);
}

interface Case {
  readonly sampler: SamplerName;
  readonly predict: Prediction;
  readonly guidance: number;
  readonly normalize: boolean;
  readonly schedule: string;
  readonly inputScale: number;
  readonly td: number;
  readonly x0: string;
  readonly images: string;
}

const cases: readonly Case[] = [
  {
    sampler: 'ddpm',
    predict: 'eps',
    guidance: 0,
    normalize: false,
    schedule: 'cosine',
    inputScale: 1,
    td: 0,
    x0: '284b60cdcb8f0cbd',
    images: '044cfbd69092daa6',
  },
  {
    sampler: 'ddpm',
    predict: 'eps',
    guidance: 1.5,
    normalize: true,
    schedule: 'sigmoid@0,3,0.5',
    inputScale: 0.8,
    td: 0,
    x0: 'f0b9983edd40c356',
    images: 'eb542cd67f968164',
  },
  {
    sampler: 'ddpm@small',
    predict: 'v',
    guidance: 0.5,
    normalize: true,
    schedule: 'simple_linear',
    inputScale: 0.5,
    td: 0.5,
    x0: 'e331bbcd6ebbc40e',
    images: 'a70f3611aa355ae0',
  },
  {
    sampler: 'ddim',
    predict: 'x',
    guidance: 0,
    normalize: true,
    schedule: 'cosine',
    inputScale: 1,
    td: 0,
    x0: '38fa7bc7ae91bb54',
    images: 'e80e960f2e706a5a',
  },
  {
    sampler: 'ddim',
    predict: 'eps',
    guidance: 2,
    normalize: false,
    schedule: 'cosine@0.2,1,1',
    inputScale: 0.7,
    td: 0,
    x0: '82b12da647831c3d',
    images: 'de6f7ab639d22583',
  },
];

describe('ddpm / ddim outputs are pinned bit for bit', () => {
  it.each(
    cases,
  )('$sampler ($predict, w = $guidance, normalize $normalize, $schedule, b = $inputScale, td = $td)', async (c) => {
    const result = await sample({
      denoiser: toy,
      shape,
      steps: 12,
      sampler: c.sampler,
      predict: c.predict,
      guidance: c.guidance,
      normalize: c.normalize,
      schedule: c.schedule,
      inputScale: c.inputScale,
      td: c.td,
      numClasses: 10,
      latentSize: 2,
      seed: 11,
    });
    expect({ x0: digest(result.x0), images: digest(result.images) }).toEqual({
      x0: c.x0,
      images: c.images,
    });
  });
});
