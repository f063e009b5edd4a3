import { decodeImage, readImage } from '../src/image/files.js';
import { decodeJpeg } from '../src/image/jpeg.js';
import { diffStats, FIXTURES, fixture, manifest } from './helpers.js';

describe('decodeJpeg on files written by Pillow (libjpeg)', () => {
  // jpeg-js and libjpeg differ in IDCT rounding and in chroma upsampling (libjpeg interpolates,
  // jpeg-js replicates), so pixels agree to a few levels, not bit for bit. Measured on these
  // files: 4:4:4 max 3 / mean 0.53, grey max 1 / mean 0.09, 4:2:0 max 9 / mean 2.1 per channel
  // but luma (not subsampled) max 1.8 / mean 0.48.
  const tolerance: Record<string, { max: number; mean: number }> = {
    'pil-444.jpg': { max: 4, mean: 1 },
    'pil-grey.jpg': { max: 2, mean: 0.3 },
    'pil-420.jpg': { max: 12, mean: 3 },
  };
  test.each(
    manifest.jpeg.map((j) => [j.file, j] as const),
  )('%s agrees with libjpeg’s decode', (file, j) => {
    const image = decodeJpeg(fixture(file));
    expect([image.height, image.width, image.channels]).toEqual([j.height, j.width, 3]);
    const { max, mean } = diffStats(image.data, fixture(`${file}.raw`));
    expect(max).toBeLessThanOrEqual(tolerance[file]!.max);
    expect(mean).toBeLessThan(tolerance[file]!.mean);
  });

  test('4:2:0 luma agrees within 2 levels (the chroma difference is upsampling only)', () => {
    const ours = decodeJpeg(fixture('pil-420.jpg')).data;
    const theirs = fixture('pil-420.jpg.raw');
    const luma = (d: Uint8Array, i: number) =>
      0.299 * d[i]! + 0.587 * d[i + 1]! + 0.114 * d[i + 2]!;
    let max = 0;
    for (let i = 0; i < ours.length; i += 3)
      max = Math.max(max, Math.abs(luma(ours, i) - luma(theirs, i)));
    expect(max).toBeLessThan(2);
  });

  test('readImage picks the decoder by signature, not by name', () => {
    expect(readImage(`${FIXTURES}/pil-444.jpg`).channels).toBe(3);
    expect(readImage(`${FIXTURES}/pil-rgba.png`).channels).toBe(4);
    expect(() => decodeImage(new TextEncoder().encode('GIF89a...'), 'x.gif')).toThrow(
      'x.gif: expected a PNG or JPEG file, got bytes starting 47 49 46 38',
    );
  });

  test('a truncated JPEG fails loudly', () => {
    const bytes = fixture('pil-444.jpg');
    expect(() => decodeJpeg(bytes.subarray(0, 200))).toThrow();
  });
});
