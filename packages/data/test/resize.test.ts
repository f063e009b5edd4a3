import { imageGrid } from '../src/image/grid.js';
import { makeImage, toChannels } from '../src/image/image.js';
import {
  centerCrop,
  flipHorizontalInPlace,
  resizeCenterCrop,
  resizeImage,
} from '../src/image/resize.js';
import { diffStats, fixture, manifest, noiseBytes } from './helpers.js';

const src = manifest.resizeSource;
const source = makeImage(fixture(src.file), src.height, src.width, 3);

describe('resizeImage against Pillow', () => {
  // Pillow works in fixed point (22-bit weights), so single levels may differ after rounding.
  test.each(manifest.resize.map((r) => [r.file, r] as const))('%s within 1 level', (_file, r) => {
    const ours = resizeImage(source, r.height, r.width, r.method);
    expect([ours.height, ours.width, ours.channels]).toEqual([r.height, r.width, 3]);
    const { max, mean } = diffStats(ours.data, fixture(r.file));
    expect(max).toBeLessThanOrEqual(1);
    expect(mean).toBeLessThan(0.2);
  });
});

describe('resize helpers', () => {
  test('area shrinking by an integer factor is the exact block mean', () => {
    const image = makeImage(Uint8Array.of(0, 10, 20, 31, 100, 100, 200, 201), 2, 4, 1);
    expect(Array.from(resizeImage(image, 1, 2, 'area').data)).toEqual([53, 113]);
  });

  test('a constant image stays constant under both methods and any size', () => {
    const image = makeImage(new Uint8Array(7 * 9 * 3).fill(77), 7, 9, 3);
    for (const method of ['area', 'bilinear'] as const) {
      for (const [h, w] of [
        [3, 4],
        [20, 11],
        [7, 9],
      ] as const) {
        expect(resizeImage(image, h, w, method).data.every((v) => v === 77)).toBe(true);
      }
    }
  });

  test('centerCrop takes the middle window, offsets rounded down', () => {
    const image = makeImage(
      Uint8Array.from({ length: 20 }, (_, i) => i),
      4,
      5,
      1,
    );
    const crop = centerCrop(image, 2, 2);
    // top = floor((4-2)/2) = 1, left = floor((5-2)/2) = 1.
    expect(Array.from(crop.data)).toEqual([6, 7, 11, 12]);
    expect(() => centerCrop(image, 5, 2)).toThrow(
      'centerCrop: crop 5×2 is larger than the image 4×5',
    );
  });

  test('resizeCenterCrop makes size×size from any aspect ratio', () => {
    const wide = makeImage(noiseBytes(30 * 80 * 3), 30, 80, 3);
    const tall = makeImage(noiseBytes(90 * 20 * 1), 90, 20, 1);
    expect([resizeCenterCrop(wide, 16).height, resizeCenterCrop(wide, 16).width]).toEqual([16, 16]);
    expect(resizeCenterCrop(tall, 32).data.length).toBe(32 * 32);
  });

  test('flipHorizontalInPlace mirrors each row and is its own inverse', () => {
    const data = Uint8Array.of(1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12);
    flipHorizontalInPlace(data, 2, 3, 2);
    expect(Array.from(data)).toEqual([5, 6, 3, 4, 1, 2, 11, 12, 9, 10, 7, 8]);
    flipHorizontalInPlace(data, 2, 3, 2);
    expect(Array.from(data)).toEqual([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12]);
  });

  test('toChannels flattens alpha onto the background and converts to grey', () => {
    const rgba = makeImage(
      Uint8Array.of(255, 0, 0, 0, 0, 0, 255, 255, 100, 100, 100, 128),
      1,
      3,
      4,
    );
    expect(Array.from(toChannels(rgba, 3).data)).toEqual([255, 255, 255, 0, 0, 255, 177, 177, 177]);
    expect(Array.from(toChannels(rgba, 3, [0, 0, 0]).data)).toEqual([
      0, 0, 0, 0, 0, 255, 50, 50, 50,
    ]);
    expect(Array.from(toChannels(makeImage(Uint8Array.of(255, 0, 0), 1, 1, 3), 1).data)).toEqual([
      76,
    ]);
  });
});

describe('imageGrid', () => {
  test('places image i at row ⌊i/columns⌋, column i mod columns, with padding', () => {
    const images = Uint8Array.from({ length: 3 * 2 * 2 }, (_, i) => 10 + Math.floor(i / 4));
    const grid = imageGrid(
      { images, count: 3, height: 2, width: 2, channels: 1 },
      { columns: 2, padding: 1, background: 0 },
    );
    expect([grid.height, grid.width]).toEqual([2 * 2 + 3, 2 * 2 + 3]);
    const at = (y: number, x: number) => grid.data[y * grid.width + x];
    expect([at(1, 1), at(2, 2), at(1, 4), at(4, 1), at(4, 4), at(0, 0)]).toEqual([
      10, 10, 11, 12, 0, 0,
    ]);
  });

  test('defaults to a square-ish layout and rejects a wrong buffer size', () => {
    const grid = imageGrid({
      images: new Uint8Array(5 * 4 * 4 * 3),
      count: 5,
      height: 4,
      width: 4,
      channels: 3,
    });
    expect([grid.height, grid.width, grid.channels]).toEqual([2 * 4 + 3 * 2, 3 * 4 + 4 * 2, 3]);
    expect(() =>
      imageGrid({ images: new Uint8Array(10), count: 5, height: 4, width: 4, channels: 3 }),
    ).toThrow('images: expected 5×4×4×3 = 240 bytes, got 10');
  });
});
