import { copyFileSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import { decodePng, loadSource, readImageFolder } from '../src/index.js';
import { fixture, readJson } from './helpers.js';

interface PngCase {
  file: string;
  width: number;
  height: number;
  channels: number;
  pixels: number[];
}
const golden = readJson<{ cases: PngCase[]; folder: { shape: number[]; pixels: number[] } }>(
  'golden',
  'png',
  'png.json',
);

describe('decodePng against PIL', () => {
  test.each(golden.cases.map((c) => [c.file, c] as const))('%s', (file, c) => {
    const img = decodePng(readFileSync(fixture('golden', 'png', file)), file);
    expect([img.width, img.height, img.channels]).toEqual([c.width, c.height, c.channels]);
    expect(Array.from(img.data)).toEqual(c.pixels);
  });
});

/** Builds an 8-bit RGB PNG whose rows use the given filter types (encoded here, decoded by us). */
function encodeRgb(
  width: number,
  height: number,
  pixels: Uint8Array,
  filters: number[],
): Uint8Array {
  const rowBytes = width * 3;
  const raw = new Uint8Array(height * (rowBytes + 1));
  for (let y = 0; y < height; y++) {
    const f = filters[y % filters.length]!;
    raw[y * (rowBytes + 1)] = f;
    for (let i = 0; i < rowBytes; i++) {
      const x = pixels[y * rowBytes + i]!;
      const a = i >= 3 ? pixels[y * rowBytes + i - 3]! : 0;
      const b = y > 0 ? pixels[(y - 1) * rowBytes + i]! : 0;
      const c = y > 0 && i >= 3 ? pixels[(y - 1) * rowBytes + i - 3]! : 0;
      const p = a + b - c;
      const paeth =
        Math.abs(p - a) <= Math.abs(p - b) && Math.abs(p - a) <= Math.abs(p - c)
          ? a
          : Math.abs(p - b) <= Math.abs(p - c)
            ? b
            : c;
      const predictor = [0, a, b, (a + b) >> 1, paeth][f]!;
      raw[y * (rowBytes + 1) + 1 + i] = (x - predictor) & 0xff;
    }
  }
  const chunk = (type: string, body: Uint8Array) => {
    const out = new Uint8Array(12 + body.length);
    const dv = new DataView(out.buffer);
    dv.setUint32(0, body.length);
    out.set(new TextEncoder().encode(type), 4);
    out.set(body, 8);
    dv.setUint32(8 + body.length, crc32(out.subarray(4, 8 + body.length)));
    return out;
  };
  const ihdr = new Uint8Array(13);
  new DataView(ihdr.buffer).setUint32(0, width);
  new DataView(ihdr.buffer).setUint32(4, height);
  ihdr.set([8, 2, 0, 0, 0], 8);
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    chunk('IHDR', ihdr),
    chunk('IDAT', deflateSync(raw)),
    chunk('IEND', new Uint8Array(0)),
  ]);
}

test('all five row filters (None, Sub, Up, Average, Paeth) decode exactly', () => {
  const width = 7;
  const height = 10;
  const pixels = Uint8Array.from(
    { length: width * height * 3 },
    (_, i) => (i * 37 + (i >> 3) * 11) & 0xff,
  );
  const img = decodePng(encodeRgb(width, height, pixels, [0, 1, 2, 3, 4]));
  expect(Array.from(img.data)).toEqual(Array.from(pixels));
});

test('malformed PNGs fail clearly', () => {
  const good = Buffer.from(readFileSync(fixture('golden', 'png', 'rgb.png')));
  expect(() => decodePng(new Uint8Array(20), 'x.png')).toThrow(
    'x.png: not a PNG file (bad signature)',
  );
  const bad = Buffer.from(good);
  bad[50] = bad[50]! ^ 0xff; // inside the IDAT data
  expect(() => decodePng(bad, 'x.png')).toThrow(/x\.png: CRC mismatch in chunk IDAT at byte 33/);
  expect(() => decodePng(good.subarray(0, 30), 'x.png')).toThrow(/truncated PNG/);
  const sixteen = Buffer.from(encodeRgb(2, 2, new Uint8Array(12), [0]));
  sixteen[24] = 16;
  const dv = new DataView(sixteen.buffer, sixteen.byteOffset);
  dv.setUint32(29, crc32(sixteen.subarray(12, 29)));
  expect(() => decodePng(sixteen, 'x.png')).toThrow(
    'x.png: expected bit depth 8 for colour type 2, got 16',
  );
});

describe('readImageFolder', () => {
  test('reads sorted PNGs into one RGB batch, grey replicated (as PIL convert("RGB"))', () => {
    const batch = readImageFolder(fixture('golden', 'png', 'folder'));
    expect([batch.count, batch.height, batch.width, batch.channels]).toEqual(golden.folder.shape);
    expect(Array.from(batch.data)).toEqual(golden.folder.pixels);
  });

  test('images of different sizes, and non-PNG images, are rejected by name', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eval-fid-png-'));
    copyFileSync(fixture('golden', 'png', 'folder', 'img0.png'), join(dir, 'a.png'));
    copyFileSync(fixture('golden', 'png', 'rgb.png'), join(dir, 'b.png'));
    expect(() => readImageFolder(dir)).toThrow(
      /b\.png: expected 5×6 like a\.png \(all images must have one size\), got 7×10/,
    );
    writeFileSync(join(dir, 'c.jpg'), 'x');
    expect(() => readImageFolder(dir)).toThrow(/only PNG images are supported, found c\.jpg/);
  });

  test('a damaged PNG in the folder is named; so is a missing folder', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eval-fid-png-'));
    const good = readFileSync(fixture('golden', 'png', 'folder', 'img0.png'));
    writeFileSync(join(dir, 'a.png'), good);
    writeFileSync(join(dir, 'b.png'), good.subarray(0, good.length - 30));
    expect(() => readImageFolder(dir)).toThrow(`${join(dir, 'b.png')}: truncated PNG`);
    expect(() => readImageFolder(join(dir, 'nope'))).toThrow(`${join(dir, 'nope')}: no such file`);
    expect(() => loadSource(join(dir, 'nope.npz'))).toThrow(
      `${join(dir, 'nope.npz')}: no such file`,
    );
  });
});
