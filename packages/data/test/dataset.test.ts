import { existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createDataset, datasetImage, fromFloat32, toFloat32 } from '../src/dataset.js';
import { readImage, writePng } from '../src/image/files.js';
import { makeImage } from '../src/image/image.js';
import { noiseBytes } from './helpers.js';

describe('createDataset', () => {
  const base = {
    images: new Uint8Array(2 * 3 * 3),
    count: 2,
    height: 3,
    width: 3,
    channels: 1 as const,
    name: 'd',
    licence: 'x',
  };

  test('numClasses defaults to max label + 1 and to 0 without labels', () => {
    expect(createDataset({ ...base, labels: Int32Array.of(0, 4) }).numClasses).toBe(5);
    expect(createDataset(base).numClasses).toBe(0);
    expect(
      createDataset({ ...base, labels: Int32Array.of(0, 1), classNames: ['a', 'b', 'c'] })
        .numClasses,
    ).toBe(3);
  });

  test('wrong sizes, labels and channel counts are refused with expected and got', () => {
    expect(() => createDataset({ ...base, images: new Uint8Array(17) })).toThrow(
      'd: images: expected a Uint8Array of 2×3×3×1 = 18 bytes, got 17',
    );
    expect(() => createDataset({ ...base, labels: Int32Array.of(0) })).toThrow(
      'd: labels: expected an Int32Array of 2, got 1',
    );
    expect(() => createDataset({ ...base, labels: Int32Array.of(0, -1) })).toThrow(
      'd: labels[1] = -1: expected ≥ 0',
    );
    expect(() => createDataset({ ...base, labels: Int32Array.of(0, 3), numClasses: 3 })).toThrow(
      /label 3 is out of range/,
    );
    expect(() => createDataset({ ...base, channels: 4 as unknown as 1 })).toThrow(
      'd: channels: expected 1 or 3, got 4',
    );
  });

  test('datasetImage is a view of image i', () => {
    const d = createDataset({ ...base, images: Uint8Array.from({ length: 18 }, (_, i) => i) });
    expect(Array.from(datasetImage(d, 1).data)).toEqual([9, 10, 11, 12, 13, 14, 15, 16, 17]);
    expect(() => datasetImage(d, 2)).toThrow('index: expected < 2 (d), got 2');
  });
});

describe('toFloat32 / fromFloat32', () => {
  test('0 → −1, 255 → 1, and back exactly for every byte value', () => {
    const bytes = Uint8Array.from({ length: 256 }, (_, i) => i);
    const floats = toFloat32(bytes);
    expect(floats[0]).toBe(-1);
    expect(floats[255]).toBe(1);
    expect(Array.from(fromFloat32(floats))).toEqual(Array.from(bytes));
  });

  test('fromFloat32 clips, rounds to nearest and maps NaN to 0', () => {
    expect(
      Array.from(fromFloat32([-3, 3, 0, Number.NaN, -1 + 0.6 / 127.5, -1 + 0.4 / 127.5])),
    ).toEqual([0, 255, 128, 0, 1, 0]);
  });
});

describe('writePng / readImage on disk', () => {
  test('round trip through a real file; no temporary file left behind', () => {
    const dir = mkdtempSync(join(tmpdir(), 'ns-data-png-'));
    try {
      const image = makeImage(noiseBytes(20 * 30 * 3, 9), 20, 30, 3);
      const path = join(dir, 'grid.png');
      writePng(path, image);
      const back = readImage(path);
      expect([back.height, back.width, back.channels]).toEqual([20, 30, 3]);
      expect(Buffer.from(back.data).equals(Buffer.from(image.data))).toBe(true);
      expect(readdirSync(dir)).toEqual(['grid.png']);
      expect(() => readImage(join(dir, 'missing.png'))).toThrow(/missing\.png: no such file$/);
      expect(existsSync(path)).toBe(true);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
