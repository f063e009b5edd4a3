/**
 * From a run's `model` configuration to the network the trainer builds, and from a preset and a
 * data set to that configuration. The network is always derived from the config, never passed
 * beside it, so the two cannot disagree.
 */
import { parseRinConfig, preset, type RinConfig } from '@ns/rin';
import type { ModelConfig } from './config.js';
import { TrainerError } from './errors.js';
import { mlpDenoiser } from './mlp-denoiser.js';
import type { DiffusionNet } from './net.js';
import { rinNet } from './rin-net.js';

export function netFor(model: ModelConfig): DiffusionNet {
  return model.kind === 'rin' ? rinNet(model.rin) : mlpDenoiser(model.mlp);
}

/** The geometry a data set imposes on the network. */
export interface DataGeometry {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
  readonly numClasses: number;
}

/**
 * A RIN preset with the data's geometry: image size, channels and number of classes come from
 * the data set, so `--preset tiny --data mnist` is a tiny RIN for 28×28 grey digits.
 */
export function rinForData(
  presetName: string,
  data: DataGeometry,
  overrides: Partial<RinConfig> = {},
): ModelConfig {
  if (data.height !== data.width) {
    throw new TrainerError(
      'invalid_argument',
      `the data set's images are ${data.height}×${data.width}; RIN presets need square images (resize them with --size)`,
    );
  }
  const rin = parseRinConfig({
    ...preset(presetName),
    imageSize: data.height,
    channels: data.channels,
    numClasses: data.numClasses,
    ...overrides,
  });
  return { kind: 'rin', preset: presetName, rin };
}
