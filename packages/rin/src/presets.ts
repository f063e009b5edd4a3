/**
 * Named configurations. The `imagenet*` rows are Table 1 of Chen 2023 (spec §1.9) with the values
 * the table leaves out (MLP ratios 4, 1000 classes, learned position embeddings) that reproduce
 * its parameter counts; `cifar10` is the Pix2Seq CIFAR-10 config (spec §3.8, §5.7). The CPU
 * presets are ours, sized so one self-conditioned training step at batch 64 is well under a second
 * on two cores.
 */
import type { RinConfig } from './config.js';
import { RinError } from './errors.js';

const table1 = (imageSize: number, latents: number, blocks: readonly number[]): RinConfig => ({
  imageSize,
  channels: 3,
  patchSize: 8,
  interfaceDim: 512,
  latents,
  latentDim: 768,
  blocks,
  latentHeads: 16,
  rwHeads: 16,
  latentMlpRatio: 4,
  interfaceMlpRatio: 4,
  numClasses: 1000,
  dropout: 0,
  dropPath: 0,
  selfCondition: 'latent',
  predict: 'eps',
});

export const presets = {
  /** Table 1, 64×64: 214.48M parameters. */
  imagenet64: table1(64, 128, [6, 6, 6, 6]),
  /** Table 1, 128×128: 214.58M. */
  imagenet128: table1(128, 128, [6, 6, 6, 6]),
  /** Table 1, 256×256: 319.03M. */
  imagenet256: table1(256, 256, [6, 6, 6, 6, 6, 6]),
  /** Table 1, 512×512: 320.61M. */
  imagenet512: table1(512, 256, [6, 6, 6, 6, 6, 6]),
  /** Table 1, 768×768: 408.28M. */
  imagenet768: table1(768, 256, [8, 8, 8, 8, 8, 8]),
  /** Table 1, 1024×1024: 411.95M. */
  imagenet1024: table1(1024, 256, [8, 8, 8, 8, 8, 8]),
  /** Pix2Seq CIFAR-10 `tape` config (class-conditional, dropout and drop-path 0.1): 30.95M. */
  cifar10: {
    imageSize: 32,
    channels: 3,
    patchSize: 2,
    interfaceDim: 256,
    latents: 128,
    latentDim: 512,
    blocks: [2, 2, 2],
    latentHeads: 16,
    rwHeads: 8,
    latentMlpRatio: 4,
    interfaceMlpRatio: 2,
    numClasses: 10,
    dropout: 0.1,
    dropPath: 0.1,
    selfCondition: 'latent',
    predict: 'eps',
  },
  /** CPU: 28×28 grey images (MNIST-like), 10 classes, 49 patches of 4×4. */
  mnist: {
    imageSize: 28,
    channels: 1,
    patchSize: 4,
    interfaceDim: 64,
    latents: 16,
    latentDim: 96,
    blocks: [2, 2],
    latentHeads: 4,
    rwHeads: 4,
    latentMlpRatio: 2,
    interfaceMlpRatio: 2,
    numClasses: 10,
    dropout: 0,
    dropPath: 0,
    selfCondition: 'latent',
    predict: 'eps',
  },
  /** CPU: 32×32 RGB images (emoji-like), unconditional, 64 patches of 4×4. */
  emoji: {
    imageSize: 32,
    channels: 3,
    patchSize: 4,
    interfaceDim: 64,
    latents: 16,
    latentDim: 96,
    blocks: [2, 2],
    latentHeads: 4,
    rwHeads: 4,
    latentMlpRatio: 2,
    interfaceMlpRatio: 2,
    numClasses: 0,
    dropout: 0,
    dropPath: 0,
    selfCondition: 'latent',
    predict: 'eps',
  },
  /** CPU smoke test: 16×16 RGB, one block; trains in milliseconds. */
  tiny: {
    imageSize: 16,
    channels: 3,
    patchSize: 4,
    interfaceDim: 32,
    latents: 8,
    latentDim: 48,
    blocks: [1],
    latentHeads: 2,
    rwHeads: 2,
    latentMlpRatio: 2,
    interfaceMlpRatio: 2,
    numClasses: 10,
    dropout: 0,
    dropPath: 0,
    selfCondition: 'latent',
    predict: 'eps',
  },
} as const satisfies Record<string, RinConfig>;

export type PresetName = keyof typeof presets;

export const PRESET_NAMES = Object.keys(presets) as PresetName[];

/** The preset `name` as a fresh config; throws `RinError('unknown_preset')` naming the choices. */
export function preset(name: string): RinConfig {
  if (!Object.hasOwn(presets, name)) {
    throw new RinError(
      'unknown_preset',
      `preset: expected one of ${PRESET_NAMES.join(', ')}, got ${JSON.stringify(name)}`,
    );
  }
  const p = presets[name as PresetName] as RinConfig;
  return { ...p, blocks: [...p.blocks] };
}
