/**
 * Damaged inputs of the loaders are reported in one line naming the file and what is wrong. Each
 * case writes a real damaged file (a fixture cut short or overwritten) and loads it.
 */
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  FormatError,
  loadDataset,
  loadImageFolder,
  loadNpzDataset,
  readImage,
} from '../src/index.js';
import { parseIdx } from '../src/loaders/idx.js';
import { fixture } from './helpers.js';

const dir = mkdtempSync(join(tmpdir(), 'ns-data-broken-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, bytes: Uint8Array | string): string {
  const path = join(dir, name);
  mkdirSync(join(path, '..'), { recursive: true });
  writeFileSync(path, bytes);
  return path;
}

describe('images', () => {
  const jpg = fixture('pil-444.jpg');
  const png = fixture('pil-rgb.png');
  test.each([
    [
      'a JPEG cut short',
      'cut.jpg',
      jpg.subarray(0, jpg.length - 50),
      /cut\.jpg: corrupt or truncated JPEG \(jpeg-js: marker was not found\)$/,
    ],
    [
      'a JPEG with garbage inside',
      'garbled.jpg',
      Buffer.concat([jpg.subarray(0, 200), new Uint8Array(60).fill(0xff), jpg.subarray(260)]),
      /garbled\.jpg: corrupt or truncated JPEG \(jpeg-js: unknown JPEG marker ff52\)$/,
    ],
    [
      'a PNG cut short',
      'cut.png',
      png.subarray(0, 100),
      /cut\.png: truncated PNG: chunk IDAT at byte \d+ needs \d+ bytes, the file ends after \d+$/,
    ],
    [
      'neither PNG nor JPEG',
      'notes.png',
      new TextEncoder().encode('GIF89a'),
      /notes\.png: expected a PNG or JPEG file, got bytes starting 47 49 46 38$/,
    ],
    [
      'an empty file',
      'empty.jpg',
      new Uint8Array(0),
      /empty\.jpg: expected a PNG or JPEG file, got an empty file$/,
    ],
  ])('%s', (_what, name, bytes, message) => {
    const path = file(name, bytes);
    expect(() => readImage(path)).toThrow(FormatError);
    expect(() => readImage(path)).toThrow(message);
  });

  test('an image folder names the one damaged file inside it', () => {
    file('folder/cats/a.png', png);
    file('folder/cats/b.png', png.subarray(0, 60));
    file('folder/dogs/c.png', png);
    expect(() => loadImageFolder(join(dir, 'folder'), { size: 8 })).toThrow(
      `${join(dir, 'folder', 'cats', 'b.png')}: truncated PNG`,
    );
  });

  test('an image folder that is a file, or is missing', () => {
    const plain = file('plain.png', png);
    expect(() => loadImageFolder(plain, { size: 8 })).toThrow(
      `loadImageFolder: ${plain} is not a folder`,
    );
    expect(() => loadImageFolder(join(dir, 'none'), { size: 8 })).toThrow(
      `loadImageFolder: ${join(dir, 'none')} does not exist`,
    );
  });
});

describe('ADM .npz data sets', () => {
  const npz = fixture('adm-rgb-labels.npz');
  test.each([
    [
      'cut short',
      npz.subarray(0, 300),
      /s\.npz: truncated zip\/\.npz: it starts like one but has no end-of-central-directory record/,
    ],
    [
      'not a zip',
      new TextEncoder().encode('a text file named .npz'),
      /s\.npz: not a zip\/\.npz archive/,
    ],
    [
      'a damaged member (CRC mismatch)',
      (() => {
        const b = npz.slice();
        b[200]! ^= 1;
        return b;
      })(),
      /s\.npz: member arr_0\.npy: CRC-32 mismatch/,
    ],
  ])('%s', (_what, bytes, message) => {
    const path = file('s.npz', bytes);
    expect(() => loadNpzDataset(path)).toThrow(FormatError);
    expect(() => loadNpzDataset(path)).toThrow(message);
    expect(() => loadDataset(path)).toThrow(message);
  });

  test('an archive without arr_0 (a statistics file) names what it holds', async () => {
    const { serializeNpz } = await import('@ns/formats');
    const path = file(
      'stats.npz',
      serializeNpz({
        mu: { shape: [2], data: new Float64Array(2) },
        sigma: { shape: [2, 2], data: new Float64Array(4) },
      }),
    );
    expect(() => loadNpzDataset(path)).toThrow(
      `${path}: expected an arr_0 member (ADM layout: uint8 images), found mu, sigma`,
    );
  });

  test('labels that do not match the images', async () => {
    const { serializeNpz } = await import('@ns/formats');
    const path = file(
      'labels.npz',
      serializeNpz({
        arr_0: { shape: [2, 1, 1, 1], data: new Uint8Array(2) },
        arr_1: { shape: [3], data: new Int32Array(3) },
      }),
    );
    expect(() => loadNpzDataset(path)).toThrow(
      `${path}:arr_1: expected labels of shape (2,) like arr_0, got (3)`,
    );
  });

  test('a missing file', () => {
    expect(() => loadNpzDataset(join(dir, 'gone.npz'))).toThrow(
      `${join(dir, 'gone.npz')}: no such file`,
    );
  });
});

describe('IDX (MNIST) files', () => {
  test.each([
    [
      'cut short',
      Uint8Array.of(0, 0, 8, 1, 0, 0, 0, 5, 1, 2),
      /x: expected 13 bytes for shape \[5\], got 10/,
    ],
    ['bad magic', Uint8Array.of(1, 2, 3, 4), /x: bad IDX magic \(expected 00 00 08 NDIM\)/],
    [
      'a gzip cut short',
      Uint8Array.of(0x1f, 0x8b, 8, 0, 0, 0),
      /x: corrupt or truncated gzip \(zlib says .+\)/,
    ],
  ])('%s', (_what, bytes, message) => {
    expect(() => parseIdx(bytes, 'x')).toThrow(message);
  });
});
