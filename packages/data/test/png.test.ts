import { crc32 } from 'node:zlib';
import { type Channels, makeImage } from '../src/image/image.js';
import { decodePng, encodePng, type PngFilter } from '../src/index.js';
import { fixture, manifest, noiseBytes } from './helpers.js';

describe('decodePng on files written by other encoders', () => {
  test.each(
    manifest.png.map((p) => [p.file, p] as const),
  )('%s matches the writer’s pixels', (file, p) => {
    const image = decodePng(fixture(file));
    expect([image.height, image.width, image.channels]).toEqual([p.height, p.width, p.channels]);
    expect(Buffer.from(image.data).equals(Buffer.from(fixture(`${file}.raw`)))).toBe(true);
  });

  test('the fixtures cover all five row filters, Adam7, palette+tRNS, 1-bit and 16-bit', () => {
    const files = manifest.png.map((p) => p.file);
    for (const f of ['none', 'sub', 'up', 'average', 'paeth'])
      expect(files).toContain(`filter-${f}.png`);
    expect(files).toEqual(
      expect.arrayContaining([
        'adam7-rgba.png',
        'pil-palette-trns.png',
        'pil-1bit.png',
        'pil-grey16.png',
      ]),
    );
  });
});

describe('decodePng rejects damaged files', () => {
  const good = fixture('pil-rgb.png');

  test('a flipped bit inside IDAT fails the CRC check, naming the chunk', () => {
    const bad = good.slice();
    const idat = Buffer.from(bad).indexOf('IDAT');
    bad[idat + 10]! ^= 0x01;
    expect(() => decodePng(bad)).toThrow(/CRC mismatch in chunk IDAT/);
  });

  test('truncation and a wrong signature are reported', () => {
    expect(() => decodePng(good.subarray(0, good.length - 20))).toThrow(/PNG/);
    const notPng = good.slice();
    notPng[1] = 0x41;
    expect(() => decodePng(notPng)).toThrow(/bad signature/);
  });
});

describe('encodePng', () => {
  const filters: PngFilter[] = ['none', 'sub', 'up', 'average', 'paeth', 'adaptive'];
  const shapes: [number, number, Channels][] = [
    [1, 1, 1],
    [7, 5, 1],
    [9, 13, 2],
    [16, 3, 3],
    [5, 31, 4],
  ];

  test.each(shapes)('round trip %i×%i×%i with every filter', (h, w, c) => {
    const image = makeImage(noiseBytes(h * w * c, h * 100 + w), h, w, c);
    for (const filter of filters) {
      const back = decodePng(encodePng(image, { filter }));
      expect([back.height, back.width, back.channels]).toEqual([h, w, c]);
      expect(Buffer.from(back.data).equals(Buffer.from(image.data))).toBe(true);
    }
  });

  test('re-encodes the Pillow fixtures losslessly', () => {
    for (const file of ['pil-grey.png', 'pil-rgb.png', 'pil-rgba.png', 'pil-grey-alpha.png']) {
      const image = decodePng(fixture(file));
      expect(Buffer.from(decodePng(encodePng(image)).data).equals(Buffer.from(image.data))).toBe(
        true,
      );
    }
  });

  test('adaptive filtering compresses a smooth image better than no filter', () => {
    const h = 64;
    const w = 64;
    const data = new Uint8Array(h * w * 3);
    for (let y = 0; y < h; y++)
      for (let x = 0; x < w; x++)
        for (let c = 0; c < 3; c++) data[(y * w + x) * 3 + c] = (x * 3 + y * 2 + c * 50) & 255;
    const image = makeImage(data, h, w, 3);
    expect(encodePng(image, { filter: 'adaptive' }).length).toBeLessThan(
      encodePng(image, { filter: 'none' }).length,
    );
  });

  test('writes a valid chunk layout with correct CRCs', () => {
    const png = encodePng(makeImage(noiseBytes(12), 2, 2, 3));
    const view = new DataView(png.buffer);
    let offset = 8;
    const types: string[] = [];
    while (offset < png.length) {
      const length = view.getUint32(offset);
      types.push(Buffer.from(png.subarray(offset + 4, offset + 8)).toString('latin1'));
      expect(view.getUint32(offset + 8 + length)).toBe(
        crc32(png.subarray(offset + 4, offset + 8 + length)),
      );
      offset += 12 + length;
    }
    expect(types).toEqual(['IHDR', 'IDAT', 'IEND']);
  });

  test('bad arguments name the argument, expected and got', () => {
    expect(() => encodePng({ data: new Uint8Array(5), height: 2, width: 2, channels: 1 })).toThrow(
      'data: expected 4 bytes for 2×2×1, got 5',
    );
    expect(() => encodePng(makeImage(new Uint8Array(4), 2, 2, 1), { level: 11 })).toThrow(/level/);
  });
});
