/** The RIN architecture a sweep trains at each resolution. */
import type { RinConfig } from '@ns/rin';
import { rinForData } from '@ns/trainer';
import type { SweepGrid } from './grid.js';

/** The RIN a grid trains at `resolution` on data with these channels and classes. */
export function trialModel(
  grid: SweepGrid,
  resolution: number,
  data: { readonly channels: 1 | 3; readonly numClasses: number },
): RinConfig {
  const patchSize = grid.patchSize[String(resolution)];
  const model = rinForData(
    grid.preset,
    { ...data, height: resolution, width: resolution },
    { ...grid.model, ...(patchSize === undefined ? {} : { patchSize }) },
  );
  return (model as { rin: RinConfig }).rin;
}
