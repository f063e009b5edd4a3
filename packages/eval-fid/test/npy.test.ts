import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  EvalFidError,
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
      /x\.npy: truncated \.npy: shape \[2, 3, 4\] of f8 needs 320 bytes, file has 312/,
    );
  });

  test('unsupported dtype', () => {
    const bad = Buffer.from(good);
    bad.write("'descr': '<c16'", 10, 'latin1');
    expect(() => parseNpy(bad, 'x.npy')).toThrow(EvalFidError);
    expect(() => parseNpy(bad, 'x.npy')).toThrow(/got "<c16"/);
  });

  test('corrupt zip member is caught by the CRC', () => {
    const bytes = Buffer.from(readFileSync(fixture('format', 'stats_stored.npz')));
    bytes[200] = bytes[200]! ^ 0xff; // inside the first member's data
    expect(() => NpzArchive.fromBytes(bytes, 'bad.npz').get('mu')).toThrow(
      /bad\.npz: member mu\.npy: CRC-32 mismatch/,
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
