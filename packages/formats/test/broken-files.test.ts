/**
 * Every damaged or unreadable file is reported in one line that names it and says what is wrong.
 * Each case writes a real file (made by this package's writers, then damaged) and reads it back
 * through the public readers.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, deflateSync } from 'node:zlib';
import {
  decodePng,
  encodePng,
  FormatError,
  NpzArchive,
  readFileBytes,
  readNpy,
  readNpz,
  serializeNpy,
  serializeNpz,
  writeNpz,
} from '../src/index.js';

const dir = mkdtempSync(join(tmpdir(), 'ns-formats-broken-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Writes `bytes` as `name` in the temporary folder and returns the path. */
function file(name: string, bytes: Uint8Array | string): string {
  const path = join(dir, name);
  writeFileSync(path, bytes);
  return path;
}

const readPng = (path: string) => decodePng(readFileBytes(path), path);

// A 6×5 RGB PNG with noisy pixels (so IDAT is not tiny) and a 3×4 float64 .npy.
const png = encodePng({
  data: Uint8Array.from({ length: 6 * 5 * 3 }, (_, i) => (i * 97 + 13) % 256),
  height: 6,
  width: 5,
  channels: 3,
});
const npy = serializeNpy({ shape: [3, 4], data: Float64Array.from({ length: 12 }, (_, i) => i) });
const npz = serializeNpz({
  arr_0: { shape: [2, 2, 2, 1], data: new Uint8Array([1, 2, 3, 4, 5, 6, 7, 8]) },
  arr_1: { shape: [2], data: new BigInt64Array([3n, 7n]) },
});

/** `bytes` with chunk `type`'s data replaced by `data` and its CRC recomputed (a valid chunk). */
function replaceChunk(bytes: Uint8Array, type: string, data: Uint8Array): Uint8Array {
  const at = Buffer.from(bytes).indexOf(type) - 4;
  const length = new DataView(bytes.buffer, bytes.byteOffset).getUint32(at);
  const chunk = new Uint8Array(12 + data.length);
  const view = new DataView(chunk.buffer);
  view.setUint32(0, data.length);
  chunk.set(new TextEncoder().encode(type), 4);
  chunk.set(data, 8);
  view.setUint32(8 + data.length, crc32(chunk.subarray(4, 8 + data.length)));
  return Buffer.concat([bytes.subarray(0, at), chunk, bytes.subarray(at + 12 + length)]);
}

function flipped(bytes: Uint8Array, at: number): Uint8Array {
  const copy = bytes.slice();
  copy[at]! ^= 0xff;
  return copy;
}

describe('PNG', () => {
  const idat = Buffer.from(png).indexOf('IDAT') - 4;
  test.each([
    [
      'truncated in the image data',
      () => png.subarray(0, idat + 20),
      /^.*cut\.png: truncated PNG: chunk IDAT at byte 33 needs \d+ bytes, the file ends after 20$/,
    ],
    [
      'truncated before IEND',
      () => png.subarray(0, png.length - 12),
      /cut\.png: truncated PNG: no IEND chunk in \d+ bytes$/,
    ],
    [
      'not a PNG (bad magic)',
      () => new TextEncoder().encode('GIF89a, a GIF'),
      /cut\.png: not a PNG file \(bad signature\): expected 89 50 4e 47 0d 0a 1a 0a, got bytes 47 49 46 38 39 61 2c 20$/,
    ],
    [
      'an empty file',
      () => new Uint8Array(0),
      /cut\.png: not a PNG file \(bad signature\): expected .*, got an empty file$/,
    ],
    [
      'a flipped byte (CRC mismatch)',
      () => flipped(png, idat + 12),
      /cut\.png: CRC mismatch in chunk IDAT at byte 33: stored 0x[0-9a-f]+, computed 0x[0-9a-f]+ \(the file is corrupt\)$/,
    ],
    [
      'image data that is not zlib (CRC valid)',
      () => replaceChunk(png, 'IDAT', new TextEncoder().encode('not zlib at all')),
      /cut\.png: corrupt PNG image data: zlib says .+ \(the file is damaged or truncated\)$/,
    ],
    [
      'too little image data (CRC valid)',
      () => replaceChunk(png, 'IDAT', deflateSync(new Uint8Array(10))),
      /cut\.png: PNG image data too short: it ends in row 0 of 6 \(the file is damaged\)$/,
    ],
    [
      'a bad header (bit depth 3)',
      () => {
        const header = png.slice(16, 29);
        header[8] = 3;
        return replaceChunk(png, 'IHDR', header);
      },
      /cut\.png: bit depth 3 is not allowed with colour type 2 \(allowed: 8, 16\)$/,
    ],
  ])('%s', (_what, make, message) => {
    const path = file('cut.png', make());
    expect(() => readPng(path)).toThrow(FormatError);
    expect(() => readPng(path)).toThrow(message);
  });
});

describe('.npy', () => {
  const header = 128; // serializeNpy pads the header to 64-byte multiples: here 128 bytes
  const withHeader = (text: string) => {
    const bytes = npy.slice();
    bytes.set(new TextEncoder().encode(text.padEnd(header - 11, ' ')), 10);
    return bytes;
  };
  test.each([
    [
      'truncated data',
      () => npy.subarray(0, npy.length - 5),
      /x\.npy: truncated \.npy: shape \[3, 4\] of f8 \(8 bytes each\) is 96 bytes, the file holds 91 after the header$/,
    ],
    [
      'truncated header',
      () => npy.subarray(0, 40),
      /x\.npy: truncated \.npy header: it declares 118 bytes, the file has 30 after the length field$/,
    ],
    [
      'bad magic',
      () => new TextEncoder().encode('PK\u0003\u0004 a zip, not an npy'),
      /x\.npy: not a \.npy file \(bad magic: expected 93 4e 55 4d 50 59 "\\x93NUMPY", got 50 4b 03 04 20 61\)$/,
    ],
    [
      'a header that is not a dict',
      () => withHeader('descr = float64'),
      /x\.npy: expected a \.npy header that is a Python dict literal \{…\}, got "descr = float64"$/,
    ],
    [
      'a header dict without shape',
      () => withHeader("{'descr': '<f8', 'fortran_order': False}"),
      /x\.npy: expected a header dict with 'descr', 'fortran_order' and 'shape', got "\{'descr'.*\}"$/,
    ],
    [
      'an unsupported dtype (unicode strings)',
      () => withHeader("{'descr': '<U4', 'fortran_order': False, 'shape': (3, 2), }"),
      /x\.npy: expected a dtype among f2 f4 f8 .* \(strings, objects, complex and structured dtypes are not read\), got "<U4"$/,
    ],
    [
      'a structured dtype',
      () => withHeader("{'descr': [('x', '<f4')], 'fortran_order': False, 'shape': (3,), }"),
      /x\.npy: structured \(record\) dtypes are not supported: got .*; save plain numeric arrays/,
    ],
    [
      'shape × dtype ≠ byte length (more data than the header declares)',
      () => withHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (2, 4), }"),
      /x\.npy: \.npy size mismatch: shape \[2, 4\] of f8 \(8 bytes each\) is 64 bytes, but the file holds 96 after the header/,
    ],
    [
      'a negative dimension',
      () => withHeader("{'descr': '<f8', 'fortran_order': False, 'shape': (3, -4), }"),
      /x\.npy: expected a shape of non-negative integers, got "\(3, -4\)"$/,
    ],
  ])('%s', (_what, make, message) => {
    const path = file('x.npy', make());
    expect(() => readNpy(path)).toThrow(FormatError);
    expect(() => readNpy(path)).toThrow(message);
  });
});

describe('.npz', () => {
  // arr_0.npy is the first member: its data starts 30 + 9 (local header, name) + 128 (npy header).
  const arr0Data = 30 + 9 + 128;
  test.each([
    [
      'truncated (cut in the middle)',
      () => npz.subarray(0, 200),
      /s\.npz: truncated zip\/\.npz: it starts like one but has no end-of-central-directory record in its last 200 bytes \(the file was cut short\)$/,
    ],
    [
      'not a zip (bad magic)',
      () => new TextEncoder().encode('just some text, not an archive at all'),
      /s\.npz: not a zip\/\.npz archive \(no end-of-central-directory record; the file starts 6a 75 73 74\)$/,
    ],
    [
      'a flipped byte in a member (CRC mismatch)',
      () => flipped(npz, arr0Data + 3),
      /s\.npz: member arr_0\.npy: CRC-32 mismatch \(stored 0x[0-9a-f]+, computed 0x[0-9a-f]+; the file is corrupt\)$/,
    ],
    [
      'a member whose .npy is damaged (CRC recomputed by a careless tool)',
      () => {
        const bad = serializeNpz({ arr_0: { shape: [2], data: new Float64Array(2) } }).slice();
        bad[30 + 9 + 1] = 0x41; // \x93NUMPY → \x93AUMPY, CRCs rewritten below
        const crc = crc32(bad.subarray(39, bad.length - 22 - 55));
        const view = new DataView(bad.buffer);
        view.setUint32(14, crc, true);
        view.setUint32(bad.length - 22 - 55 + 16, crc, true);
        return bad;
      },
      /s\.npz:arr_0: not a \.npy file \(bad magic: expected .*, got 93 41 55 4d 50 59\)$/,
    ],
  ])('%s', (_what, make, message) => {
    const path = file('s.npz', make());
    expect(() => readNpz(path)).toThrow(FormatError);
    expect(() => readNpz(path)).toThrow(message);
  });

  test('a missing zip entry names the keys that are there', () => {
    const path = file('s.npz', npz);
    const archive = NpzArchive.open(path);
    expect(() => archive.get('mu')).toThrow(
      /s\.npz: expected an array named 'mu', got keys \[arr_0, arr_1\] \(no zip member mu\.npy\)$/,
    );
    archive.close();
  });

  test('corrupt deflate data in a compressed member', () => {
    const packed = serializeNpz(
      { a: { shape: [64], data: new Float64Array(64).fill(1) } },
      { compress: true },
    );
    const path = file('s.npz', flipped(packed, 30 + 5 + 4));
    expect(() => readNpz(path)).toThrow(
      /s\.npz: member a\.npy: (corrupt deflate data \(zlib says .+\)|CRC-32 mismatch .+|expected \d+ bytes after decompression, got \d+)$/,
    );
  });
});

describe('system errors become sentences naming the path', () => {
  const missing = join(dir, 'nowhere', 'samples.npz');
  test.each([
    ['readFileBytes', () => readFileBytes(missing)],
    ['NpzArchive.open', () => NpzArchive.open(missing)],
    ['readNpy', () => readNpy(missing)],
  ])('%s of a missing file: "<path>: no such file"', (_name, read) => {
    expect(read).toThrow(FormatError);
    expect(read).toThrow(`${missing}: no such file`);
  });

  test('a folder where a file is expected', () => {
    mkdirSync(join(dir, 'a-folder.npz'), { recursive: true });
    expect(() => readFileBytes(join(dir, 'a-folder.npz'))).toThrow(
      `${join(dir, 'a-folder.npz')}: is a folder, expected a file`,
    );
    expect(() => NpzArchive.open(join(dir, 'a-folder.npz'))).toThrow(
      `${join(dir, 'a-folder.npz')}: is a folder, expected a .npz file`,
    );
  });

  test('a file used as a folder in the path', () => {
    const path = join(file('plain.txt', 'x'), 'inside.npy');
    expect(() => readNpy(path)).toThrow(`${path}: a part of the path is a file, not a folder`);
  });

  test('writing into a folder that does not exist', () => {
    const path = join(dir, 'no-such-folder', 'stats.npz');
    expect(() => writeNpz(path, { mu: { shape: [1], data: new Float64Array(1) } })).toThrow(
      `${path}: its folder does not exist`,
    );
  });

  // root reads any file whatever its mode, so EACCES can only be provoked as another user.
  const asRoot = process.getuid?.() === 0;
  (asRoot ? test.skip : test)('a file without read permission (EACCES)', () => {
    const path = file('secret.npz', npz);
    chmodSync(path, 0o000);
    try {
      expect(() => NpzArchive.open(path)).toThrow(
        `${path}: permission denied (check the file’s mode and owner)`,
      );
    } finally {
      chmodSync(path, 0o644);
    }
  });
});
