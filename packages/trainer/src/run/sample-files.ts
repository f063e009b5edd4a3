/** The files a sampling call leaves: a PNG grid, optionally one PNG per image, and an ADM .npz. */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { imageGrid, makeImage, writeAdmNpz, writePng } from '@ns/data';
import { withSystemErrors } from '../system-errors.js';
import type { SampleResult } from './sample.js';

export interface SampleFiles {
  readonly grid: string;
  readonly npz: string;
  readonly images?: string;
}

export async function writeSampleFiles(
  result: SampleResult,
  outDir: string,
  options: { individual?: boolean; gridColumns?: number } = {},
): Promise<SampleFiles> {
  return withSystemErrors(outDir, 'cannot write the samples', async () => {
    await mkdir(outDir, { recursive: true });
    const batch = {
      images: result.images,
      count: result.count,
      height: result.height,
      width: result.width,
      channels: result.channels,
    };
    const grid = join(outDir, 'grid.png');
    writePng(
      grid,
      imageGrid(batch, {
        padding: 2,
        ...(options.gridColumns === undefined ? {} : { columns: options.gridColumns }),
      }),
    );
    let images: string | undefined;
    if (options.individual ?? true) {
      images = join(outDir, 'images');
      await mkdir(images, { recursive: true });
      const size = result.height * result.width * result.channels;
      for (let i = 0; i < result.count; i++) {
        const one = makeImage(
          result.images.subarray(i * size, (i + 1) * size),
          result.height,
          result.width,
          result.channels,
        );
        writePng(join(images, `${String(result.first + i).padStart(6, '0')}.png`), one);
      }
    }
    const npz = join(outDir, 'samples.npz');
    writeAdmNpz(npz, batch, result.labels);
    return { grid, npz, ...(images === undefined ? {} : { images }) };
  });
}
