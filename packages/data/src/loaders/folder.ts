import { readdirSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { fileError } from '@ns/formats';
import { createDataset, type Dataset } from '../dataset.js';
import { readImage } from '../image/files.js';
import { type Rgb, toChannels, WHITE } from '../image/image.js';
import { type ResizeMethod, resizeCenterCrop } from '../image/resize.js';

export interface FolderOptions {
  /** Output side length: images are scaled (shorter side) and centre-cropped to size×size. */
  size: number;
  /** 3 (RGB, default) or 1 (grey). */
  channels?: 1 | 3;
  /** Background that transparent pixels are flattened onto (default white). */
  background?: Rgb;
  method?: ResizeMethod;
  /** Name recorded in the data set (default: the folder path). */
  name?: string;
  licence?: string;
}

const IMAGE_EXTENSIONS = new Set(['.png', '.jpg', '.jpeg']);

// Plain code-unit order: the same on every machine and locale.
const byCodeUnits = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

function listFolder(dir: string) {
  try {
    return readdirSync(dir, { withFileTypes: true });
  } catch (error) {
    throw fileError(dir, error, 'list');
  }
}

function listImages(dir: string): string[] {
  const found: string[] = [];
  for (const entry of listFolder(dir).sort((a, b) => byCodeUnits(a.name, b.name))) {
    if (entry.name.startsWith('.')) continue;
    const path = join(dir, entry.name);
    if (entry.isDirectory()) found.push(...listImages(path));
    else if (IMAGE_EXTENSIONS.has(extname(entry.name).toLowerCase())) found.push(path);
  }
  return found;
}

/**
 * Loads every PNG/JPEG under `dir`. If `dir` holds sub-folders, each sub-folder is a class
 * (labels by sorted folder name; images found recursively inside); otherwise the images in `dir`
 * form one unlabelled set. Files are visited in sorted order, so the set is the same on every
 * machine. Hidden files and folders are skipped.
 */
export function loadImageFolder(dir: string, options: FolderOptions): Dataset {
  let stat: ReturnType<typeof statSync>;
  try {
    stat = statSync(dir);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') throw new Error(`loadImageFolder: ${dir} does not exist`);
    throw fileError(dir, error, 'open');
  }
  if (!stat.isDirectory()) throw new Error(`loadImageFolder: ${dir} is not a folder`);
  const entries = listFolder(dir).filter((e) => !e.name.startsWith('.'));
  const classDirs = entries
    .filter((e) => e.isDirectory())
    .map((e) => e.name)
    .sort(byCodeUnits);
  const looseImages = entries.filter(
    (e) => e.isFile() && IMAGE_EXTENSIONS.has(extname(e.name).toLowerCase()),
  );
  if (classDirs.length > 0 && looseImages.length > 0) {
    throw new Error(
      `loadImageFolder: ${dir} mixes images (e.g. ${looseImages[0]!.name}) with class folders (e.g. ${classDirs[0]}); put every image in a class folder, or use a folder without sub-folders for an unlabelled set`,
    );
  }
  const files: string[] = [];
  const labelList: number[] = [];
  if (classDirs.length > 0) {
    classDirs.forEach((name, label) => {
      const inClass = listImages(join(dir, name));
      if (inClass.length === 0)
        throw new Error(
          `loadImageFolder: class folder ${join(dir, name)} holds no PNG/JPEG images`,
        );
      for (const file of inClass) {
        files.push(file);
        labelList.push(label);
      }
    });
  } else {
    files.push(...listImages(dir));
  }
  if (files.length === 0) throw new Error(`loadImageFolder: no PNG/JPEG images in ${dir}`);

  const { size } = options;
  const channels = options.channels ?? 3;
  const pixels = size * size * channels;
  const images = new Uint8Array(files.length * pixels);
  files.forEach((file, i) => {
    const image = toChannels(readImage(file), channels, options.background ?? WHITE);
    const fitted = resizeCenterCrop(image, size, options.method ?? 'auto');
    images.set(fitted.data, i * pixels);
  });
  return createDataset({
    images,
    count: files.length,
    height: size,
    width: size,
    channels,
    labels: classDirs.length > 0 ? Int32Array.from(labelList) : undefined,
    numClasses: classDirs.length,
    classNames: classDirs.length > 0 ? classDirs : undefined,
    name: options.name ?? dir,
    licence: options.licence ?? `unknown (user folder ${relative(process.cwd(), dir) || dir})`,
  });
}
