import { existsSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { decodePng, readFileBytes } from '@ns/formats';
import { createDataset, type Dataset } from '../dataset.js';

/** Metadata stored beside a built-in sprite sheet (written by tools/data/build-emoji.mjs). */
export interface SpriteSheetMeta {
  format: 1;
  name: string;
  count: number;
  tile: number;
  columns: number;
  channels: 1 | 3;
  classNames: string[];
  labels: number[];
  licence: string;
}

/**
 * The folder holding the built-in data files. Found by walking up from this module (src/… in
 * tests, dist/ once built) to the package root; a bundler that inlines this package loses that
 * path, so `NS_DATA_BUILTIN_DIR` may name the folder explicitly.
 */
export function builtinDir(): string {
  const fromEnv = process.env['NS_DATA_BUILTIN_DIR'];
  if (fromEnv) return fromEnv;
  for (let dir = __dirname; ; dir = dirname(dir)) {
    const candidate = join(dir, 'builtin');
    if (existsSync(join(candidate, 'emoji-32.json')) && existsSync(join(dir, 'package.json')))
      return candidate;
    if (dirname(dir) === dir) break;
  }
  try {
    return join(dirname(createRequire(__filename).resolve('@ns/data/package.json')), 'builtin');
  } catch {
    throw new Error(
      `builtin data: cannot find the builtin/ folder of @ns/data from ${__dirname}; set NS_DATA_BUILTIN_DIR to it`,
    );
  }
}

/** Cuts a sprite sheet (tiles row by row, `columns` per row) into an NHWC data set. */
export function loadSpriteSheet(pngPath: string, meta: SpriteSheetMeta): Dataset {
  const sheet = decodePng(readFileBytes(pngPath), pngPath);
  const { tile, columns, count, channels } = meta;
  const rows = Math.ceil(count / columns);
  if (sheet.channels !== channels || sheet.width !== columns * tile || sheet.height < rows * tile) {
    throw new Error(
      `${pngPath}: expected a ${columns * tile}×${rows * tile} sheet with ${channels} channels, got ${sheet.width}×${sheet.height}×${sheet.channels}`,
    );
  }
  const pixels = tile * tile * channels;
  const images = new Uint8Array(count * pixels);
  const tileRow = tile * channels;
  for (let i = 0; i < count; i++) {
    const top = Math.floor(i / columns) * tile;
    const left = (i % columns) * tile;
    for (let y = 0; y < tile; y++) {
      const from = ((top + y) * sheet.width + left) * channels;
      images.set(sheet.data.subarray(from, from + tileRow), i * pixels + y * tileRow);
    }
  }
  return createDataset({
    images,
    count,
    height: tile,
    width: tile,
    channels,
    labels: Int32Array.from(meta.labels),
    numClasses: meta.classNames.length,
    classNames: meta.classNames,
    name: meta.name,
    licence: meta.licence,
  });
}

/**
 * The built-in emoji set: single-code-point emoji of Noto Color Emoji, 32×32 RGB on white,
 * labelled by Unicode emoji group (Smileys & Emotion, People & Body, …). Ships in the package.
 */
export function loadEmoji(): Dataset {
  const dir = builtinDir();
  const meta = JSON.parse(readFileSync(join(dir, 'emoji-32.json'), 'utf8')) as SpriteSheetMeta;
  return loadSpriteSheet(join(dir, 'emoji-32.png'), meta);
}
