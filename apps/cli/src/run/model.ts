/** Turns `--preset` and the data set into the RIN configuration a run trains. */
import type { Dataset } from '@ns/data';
import { parseRinConfig, preset, type RinConfig } from '@ns/rin';

/**
 * The preset's capacity with the data's geometry: image size, channels and number of classes
 * come from the data set, so `--preset tiny --data mnist` is a tiny RIN for 28×28 grey digits.
 */
export function modelForData(
  presetName: string,
  data: Pick<Dataset, 'height' | 'width' | 'channels' | 'numClasses'>,
): RinConfig {
  if (data.height !== data.width) {
    throw new RangeError(
      `the data set's images are ${data.height}×${data.width}; RIN presets need square images`,
    );
  }
  const base = preset(presetName);
  return parseRinConfig({
    ...base,
    imageSize: data.height,
    channels: data.channels,
    numClasses: data.numClasses,
  });
}
