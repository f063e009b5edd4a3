import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { NpzArchive } from '@ns/formats';
import { encodeAdmNpz, loadNpzDataset, parseAdmNpz, writeAdmNpz } from '../src/loaders/npz.js';
import { FIXTURES, fixture, manifest } from './helpers.js';

/** The fixture script's pattern: value = (7·i + 3) mod 256 over the C-order flat index. */
const pattern = (n: number) => Uint8Array.from({ length: n }, (_, i) => (7 * i + 3) % 256);

describe('loadNpzDataset on files written by numpy', () => {
  test.each(manifest.npz.map((n) => [n.file, n] as const))('%s', (file, n) => {
    const dataset = loadNpzDataset(join(FIXTURES, file));
    const [count, height, width, channels] = n.shape;
    expect([dataset.count, dataset.height, dataset.width, dataset.channels]).toEqual([
      count,
      height,
      width,
      channels,
    ]);
    expect(Array.from(dataset.images)).toEqual(
      Array.from(pattern(count * height * width * channels)),
    );
    if (n.labels) {
      expect(Array.from(dataset.labels!)).toEqual(n.labels);
      expect(dataset.numClasses).toBe(10);
    } else {
      expect(dataset.labels).toBeUndefined();
      expect(dataset.numClasses).toBe(0);
    }
  });

  test('a float array is refused with the dtype it found', () => {
    expect(() => loadNpzDataset(join(FIXTURES, 'adm-float.npz'))).toThrow(
      'adm-float.npz:arr_0: expected dtype uint8 (|u1), got f4',
    );
  });

  test('a corrupted member fails its CRC check', () => {
    const bytes = fixture('adm-rgb-labels.npz');
    bytes[200]! ^= 0xff; // inside arr_0's data
    expect(() => parseAdmNpz(bytes, { name: 'bad.npz', licence: '' })).toThrow(
      /^bad\.npz: member arr_0\.npy: CRC-32 mismatch \(stored 0x[0-9a-f]+, computed 0x[0-9a-f]+/,
    );
  });
});

describe('encodeAdmNpz / writeAdmNpz', () => {
  test('round trip through the reader, with and without labels', () => {
    const images = pattern(3 * 2 * 2 * 3);
    const batch = { images, count: 3, height: 2, width: 2, channels: 3 };
    const withLabels = parseAdmNpz(encodeAdmNpz(batch, [2, 0, 7]), { name: 'x', licence: '' });
    expect(Array.from(withLabels.images)).toEqual(Array.from(images));
    expect(Array.from(withLabels.labels!)).toEqual([2, 0, 7]);
    expect(parseAdmNpz(encodeAdmNpz(batch), { name: 'y', licence: '' }).labels).toBeUndefined();
  });

  test('writes the same members numpy.savez writes, byte for byte in the arrays', () => {
    // numpy.savez stored arr_0 as a v1.0 .npy with a 64-byte-aligned header: ours must match it
    // exactly, so any numpy reads the file back.
    const dir = mkdtempSync(join(tmpdir(), 'ns-data-npz-'));
    try {
      const path = join(dir, 'samples.npz');
      writeAdmNpz(
        path,
        { images: pattern(5 * 4 * 3 * 3), count: 5, height: 4, width: 3, channels: 3 },
        [3, 0, 9, 1, 4],
      );
      const ours = NpzArchive.open(path);
      const theirs = NpzArchive.fromBytes(fixture('adm-rgb-labels.npz'));
      expect(ours.keys()).toEqual(['arr_0', 'arr_1']);
      for (const member of ['arr_0', 'arr_1']) {
        expect(Buffer.from(ours.bytes(member)).equals(Buffer.from(theirs.bytes(member)))).toBe(
          true,
        );
      }
      ours.close();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
