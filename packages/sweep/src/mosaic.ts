/**
 * The samples of a sweep at a glance: one 4×4 block of generated images per cell, rows = input
 * scale b (ascending), columns = resolution (ascending), every image shown at the same size so
 * that only what the model drew differs. Numbers say which b wins; this says what it looks like.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { datasetImage, type Image, imageGrid, loadDataset, resizeImage } from '@ns/data';
import { trialDir } from './folder.js';
import type { TrialResult } from './types.js';

export interface MosaicOptions {
  /** Side length every sample is shown at (default 64). */
  readonly display?: number;
  /** Samples per cell, a square number (default 16). */
  readonly perCell?: number;
}

/** The samples of `result`'s trial (its eval/samples.npz), `perCell` of them as one block. */
function cellBlock(sweepDir: string, result: TrialResult, display: number, perCell: number) {
  const npz = join(trialDir(sweepDir, result.id), 'eval', 'samples.npz');
  if (!existsSync(npz)) return undefined;
  const samples = loadDataset(npz, { limit: perCell });
  const shown = new Uint8Array(samples.count * display * display * samples.channels);
  for (let i = 0; i < samples.count; i++) {
    const image = resizeImage(datasetImage(samples, i), display, display);
    shown.set(image.data, i * image.data.length);
  }
  return imageGrid(
    {
      images: shown,
      count: samples.count,
      height: display,
      width: display,
      channels: samples.channels,
    },
    { columns: Math.round(Math.sqrt(perCell)), padding: 1, background: 255 },
  );
}

/**
 * One image of blocks for the first seed of each (resolution, b) cell of `schedule`; empty cells
 * stay grey. Undefined when no trial has samples on disk.
 */
export function sampleMosaic(
  sweepDir: string,
  results: readonly TrialResult[],
  schedule: string,
  options: MosaicOptions = {},
): Image | undefined {
  const display = options.display ?? 64;
  const perCell = options.perCell ?? 16;
  const ofSchedule = results.filter((r) => r.schedule === schedule);
  const resolutions = [...new Set(ofSchedule.map((r) => r.resolution))].sort((a, b) => a - b);
  const scales = [...new Set(ofSchedule.map((r) => r.inputScale))].sort((a, b) => a - b);
  const blocks: Array<Image | undefined> = [];
  for (const inputScale of scales)
    for (const resolution of resolutions) {
      const first = ofSchedule
        .filter((r) => r.resolution === resolution && r.inputScale === inputScale)
        .sort((a, b) => a.seed - b.seed)[0];
      blocks.push(first && cellBlock(sweepDir, first, display, perCell));
    }
  const shape = blocks.find((b) => b !== undefined);
  if (shape === undefined) return undefined;
  const size = shape.data.length;
  const all = new Uint8Array(blocks.length * size).fill(200);
  blocks.forEach((block, i) => {
    if (block !== undefined && block.data.length === size) all.set(block.data, i * size);
  });
  return imageGrid(
    {
      images: all,
      count: blocks.length,
      height: shape.height,
      width: shape.width,
      channels: shape.channels,
    },
    { columns: resolutions.length, padding: 8, background: 255 },
  );
}
