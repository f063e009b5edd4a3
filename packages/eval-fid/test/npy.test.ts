import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';
import {
  FormatError,
  NpzArchive,
  parseNpy,
  readAdmBatch,
  readFidStats,
  readNpy,
  readNpz,
  serializeNpy,
  serializeNpz,
  toFloat64,
  writeFidStats,
} from '../src/index.js';
import { fixture, readJson } from './helpers.js';

interface FormatFile {
  file: string;
  dtype?: string;
  shape?: number[];
  values?: number[];
  keys?: Record<string, number[]>;
  mu?: number[];
  sigma_sum?: number;
  sigma_00?: number;
  arr_0_sum?: number;
  arr_0_first12?: number[];
  arr_1?: number[];
}

const formats = readJson<{ files: FormatFile[] }>('format', 'formats.json').files;
const npyCases = formats.filter((f) => f.file.endsWith('.npy'));

describe('.npy reader against numpy-written fixtures', () => {
  test.each(npyCases.map((f) => [f.file, f] as const))('%s', (_name, f) => {
    const arr = readNpy(fixture('format', f.file));
    expect(arr.dtype).toBe(f.dtype!.slice(1));
    expect(arr.shape).toEqual(f.shape);
    expect(Array.from(toFloat64(arr))).toEqual(f.values);
  });

  test('int64 stays BigInt until converted', () => {
    const arr = readNpy(fixture('format', 'arr_le_i8.npy'));
    expect(arr.data).toBeInstanceOf(BigInt64Array);
  });
});

describe('.npy writer', () => {
  test.each(npyCases.map((f) => [f.file] as const))('round-trips %s', (file) => {
    const arr = readNpy(fixture('format', file));
    const back = parseNpy(serializeNpy(arr));
    expect(back.dtype).toBe(arr.dtype);
    expect(back.shape).toEqual(arr.shape);
    expect(Array.from(toFloat64(back))).toEqual(Array.from(toFloat64(arr)));
  });

  test('writes the same bytes numpy writes for a little-endian C-order array', () => {
    const bytes = readFileSync(fixture('format', 'arr_le_f8.npy'));
    expect(Buffer.from(serializeNpy(readNpy(fixture('format', 'arr_le_f8.npy'))))).toEqual(bytes);
  });

  test('float16 conversion rounds to nearest even like numpy', () => {
    const values = new Float32Array([1 + 2 ** -11, 1 + 3 * 2 ** -11, 65504, 70000, 2 ** -25, -0.1]);
    const back = toFloat64(parseNpy(serializeNpy({ shape: [6], data: values }, { dtype: 'f2' })));
    expect(Array.from(back)).toEqual([1, 1 + 2 ** -9, 65504, Infinity, 0, -0.0999755859375]);
  });

  test('header is padded so data starts 64-byte aligned', () => {
    const bytes = serializeNpy({ shape: [3, 2], data: new Float32Array(6) });
    const headerLength = bytes[8]! | (bytes[9]! << 8);
    expect((10 + headerLength) % 64).toBe(0);
  });

  test('rejects a shape that does not match the data', () => {
    expect(() => serializeNpy({ shape: [4], data: new Float64Array(3) })).toThrow(
      /expected 4 elements for shape \[4\], got 3/,
    );
  });
});

describe('.npz archives', () => {
  const statsCases = formats.filter((f) => f.file.startsWith('stats_'));
  test.each(statsCases.map((f) => [f.file, f] as const))('pytorch-fid stats %s', (file, f) => {
    const stats = readFidStats(fixture('format', file));
    expect(stats.dim).toBe(16);
    expect(Array.from(stats.mu)).toEqual(f.mu);
    expect(stats.sigma[0]).toBe(f.sigma_00);
    expect(stats.sigma.reduce((a, b) => a + b, 0)).toBeCloseTo(f.sigma_sum!, 12);
  });

  test('ADM sample batch: arr_0 uint8 NHWC images and arr_1 labels', () => {
    const f = formats.find((x) => x.file === 'adm_batch.npz')!;
    const batch = readAdmBatch(fixture('format', 'adm_batch.npz'));
    expect(batch.images!.shape).toEqual(f.keys!['arr_0']);
    expect(Array.from(batch.images!.data.subarray(0, 12))).toEqual(f.arr_0_first12);
    expect(batch.images!.data.reduce((a, b) => a + b, 0)).toBe(f.arr_0_sum);
    expect(Array.from(toFloat64(batch.labels!))).toEqual(f.arr_1);
    expect(batch.stats).toBeUndefined();
  });

  test('ADM reference batch: images plus mu/sigma and mu_s/sigma_s', () => {
    const batch = readAdmBatch(fixture('format', 'adm_ref.npz'), { images: false });
    expect(batch.images).toBeUndefined();
    expect(batch.stats!.dim).toBe(16);
    expect(batch.spatialStats!.dim).toBe(4);
  });

  test('write → read round trip, stored and deflated', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eval-fid-'));
    const arrays = {
      a: { shape: [2, 3], data: new Float32Array([1, 2, 3, 4, 5, 6]) },
      b: { shape: [4], data: new BigInt64Array([1n, -2n, 3n, 2n ** 60n]) },
    };
    for (const compress of [false, true]) {
      const path = join(dir, `x${compress}.npz`);
      writeFileSync(path, serializeNpz(arrays, { compress }));
      const back = readNpz(path);
      expect(Object.keys(back)).toEqual(['a', 'b']);
      expect(Array.from(back['a']!.data as Float32Array)).toEqual([1, 2, 3, 4, 5, 6]);
      expect(Array.from(back['b']!.data as BigInt64Array)).toEqual([1n, -2n, 3n, 2n ** 60n]);
    }
    const stats = readFidStats(fixture('format', 'stats_stored.npz'));
    writeFidStats(join(dir, 's.npz'), stats);
    const again = readFidStats(join(dir, 's.npz'));
    expect(again.mu).toEqual(stats.mu);
    expect(again.sigma).toEqual(stats.sigma);
  });
});

describe('malformed files fail with clear errors', () => {
  const good = readFileSync(fixture('format', 'arr_le_f8.npy'));

  test('not an npy', () => {
    expect(() => parseNpy(new TextEncoder().encode('hello world, not numpy'), 'x.npy')).toThrow(
      /x\.npy: not a \.npy file/,
    );
  });

  test('truncated data', () => {
    expect(() => parseNpy(good.subarray(0, good.length - 8), 'x.npy')).toThrow(
      /x\.npy: truncated \.npy: shape \[2, 3, 4\] of f8 \(8 bytes each\) is 192 bytes, the file holds 184 after the header/,
    );
  });

  test('unsupported dtype', () => {
    const bad = Buffer.from(good);
    bad.write("'<c8'", bad.indexOf("'<f8'"), 'latin1'); // complex64, as long as '<f8'
    expect(() => parseNpy(bad, 'x.npy')).toThrow(FormatError);
    expect(() => parseNpy(bad, 'x.npy')).toThrow(/x\.npy: expected a dtype among .*, got "<c8"/);
  });

  test('corrupt zip member is caught by the CRC', () => {
    const bytes = Buffer.from(readFileSync(fixture('format', 'stats_stored.npz')));
    bytes[200] = bytes[200]! ^ 0xff; // inside the first member's data
    expect(() => NpzArchive.fromBytes(bytes, 'bad.npz').get('mu')).toThrow(
      /bad\.npz: member mu\.npy: CRC-32 mismatch \(stored 0x[0-9a-f]+, computed 0x[0-9a-f]+/,
    );
  });

  test('not a zip', () => {
    expect(() => NpzArchive.fromBytes(good, 'y.npz')).toThrow(/y\.npz: not a zip/);
  });

  test('missing key names the keys present', () => {
    const archive = NpzArchive.fromBytes(
      readFileSync(fixture('format', 'stats_deflate.npz')),
      's.npz',
    );
    expect(() => archive.get('feats')).toThrow(
      /expected an array named 'feats', got keys \[mu, sigma\]/,
    );
  });

  test('stats file with the wrong sigma shape', () => {
    const dir = mkdtempSync(join(tmpdir(), 'eval-fid-'));
    const path = join(dir, 'bad.npz');
    writeFileSync(
      path,
      serializeNpz({
        mu: { shape: [3], data: new Float64Array(3) },
        sigma: { shape: [3, 2], data: new Float64Array(6) },
      }),
    );
    expect(() => readFidStats(path)).toThrow(/sigma: expected shape \[3, 3\], got \[3, 2\]/);
  });
});

describe('zip64 (numpy writes it for members over 4 GiB)', () => {
  /**
   * A stored archive whose central directory uses the zip64 forms: 0xFFFFFFFF sizes and offset
   * with a zip64 extra field, plus a zip64 end record and locator. The data is small; only the
   * encoding is what large files use.
   */
  function zip64Archive(name: string, payload: Uint8Array): Uint8Array {
    const nameBytes = new TextEncoder().encode(name);
    const crc = crc32(payload);
    const local = new Uint8Array(30 + nameBytes.length);
    const lv = new DataView(local.buffer);
    lv.setUint32(0, 0x04034b50, true);
    lv.setUint16(4, 45, true);
    lv.setUint32(14, crc, true);
    lv.setUint32(18, payload.length, true);
    lv.setUint32(22, payload.length, true);
    lv.setUint16(26, nameBytes.length, true);
    local.set(nameBytes, 30);
    const extra = new Uint8Array(4 + 24);
    const xv = new DataView(extra.buffer);
    xv.setUint16(0, 0x0001, true);
    xv.setUint16(2, 24, true);
    xv.setBigUint64(4, BigInt(payload.length), true); // uncompressed size
    xv.setBigUint64(12, BigInt(payload.length), true); // compressed size
    xv.setBigUint64(20, 0n, true); // local header offset
    const central = new Uint8Array(46 + nameBytes.length + extra.length);
    const cv = new DataView(central.buffer);
    cv.setUint32(0, 0x02014b50, true);
    cv.setUint16(6, 45, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, 0xffffffff, true);
    cv.setUint32(24, 0xffffffff, true);
    cv.setUint16(28, nameBytes.length, true);
    cv.setUint16(30, extra.length, true);
    cv.setUint32(42, 0xffffffff, true);
    central.set(nameBytes, 46);
    central.set(extra, 46 + nameBytes.length);
    const dirOffset = local.length + payload.length;
    const end64 = new Uint8Array(56);
    const ev = new DataView(end64.buffer);
    ev.setUint32(0, 0x06064b50, true);
    ev.setBigUint64(4, 44n, true);
    ev.setBigUint64(24, 1n, true);
    ev.setBigUint64(32, 1n, true);
    ev.setBigUint64(40, BigInt(central.length), true);
    ev.setBigUint64(48, BigInt(dirOffset), true);
    const locator = new Uint8Array(20);
    const kv = new DataView(locator.buffer);
    kv.setUint32(0, 0x07064b50, true);
    kv.setBigUint64(8, BigInt(dirOffset + central.length), true);
    kv.setUint32(16, 1, true);
    const end = new Uint8Array(22);
    const dv = new DataView(end.buffer);
    dv.setUint32(0, 0x06054b50, true);
    dv.setUint16(8, 0xffff, true);
    dv.setUint16(10, 0xffff, true);
    dv.setUint32(12, 0xffffffff, true);
    dv.setUint32(16, 0xffffffff, true);
    return Buffer.concat([local, payload, central, end64, locator, end]);
  }

  test('reads sizes, offsets and counts from the zip64 records', () => {
    const npy = readFileSync(fixture('format', 'arr_le_f8.npy'));
    const archive = NpzArchive.fromBytes(zip64Archive('big.npy', npy), 'z64.npz');
    expect(archive.keys()).toEqual(['big']);
    expect(Array.from(toFloat64(archive.get('big')))).toEqual(Array.from(toFloat64(parseNpy(npy))));
  });
});
