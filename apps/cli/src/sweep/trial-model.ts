/** The RIN architecture a sweep trains at each resolution. */
import { parseRinConfig, type RinConfig } from '@ns/rin';
import { modelForData } from '../run/model.js';
import type { SweepGrid } from './grid.js';

/** The RIN a grid trains at `resolution` on data with these channels and classes. */
export function trialModel(
  grid: SweepGrid,
  resolution: number,
  data: { readonly channels: 1 | 3; readonly numClasses: number },
): RinConfig {
  const fitted = modelForData(grid.preset, { ...data, height: resolution, width: resolution });
  const patchSize = grid.patchSize[String(resolution)];
  return parseRinConfig({
    ...fitted,
    ...grid.model,
    ...(patchSize === undefined ? {} : { patchSize }),
  });
}
