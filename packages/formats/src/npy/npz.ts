import { closeSync, fstatSync, readSync } from 'node:fs';
import { FormatError } from '../errors.js';
import { fileError, openForReading, readFileBytes, writeFileAtomic } from '../files.js';
import {
  type ByteSource,
  bufferSource,
  buildZip,
  readZipDirectory,
  readZipEntry,
  type ZipEntry,
} from '../zip.js';
import type { NpyData, NpyDtype } from './dtype.js';
import { type NpyArray, parseNpy, serializeNpy } from './npy.js';

/**
 * A `.npz` archive opened for reading. Members are decoded only when asked for, so a large ADM
 * reference batch (images + mu/sigma) can be opened just for its statistics.
 */
export class NpzArchive {
  private readonly entries: Map<string, ZipEntry>;

  private constructor(
    private readonly src: ByteSource,
    readonly name: string,
    private readonly onClose: () => void,
  ) {
    this.entries = new Map();
    for (const e of readZipDirectory(src, name)) {
      // numpy names members `<key>.npy`
      const key = e.name.endsWith('.npy') ? e.name.slice(0, -4) : e.name;
      this.entries.set(key, e);
    }
  }

  /** Opens an archive held in memory. */
  static fromBytes(bytes: Uint8Array, name = 'npz'): NpzArchive {
    return new NpzArchive(bufferSource(bytes), name, () => {});
  }

  /** Opens an archive on disk; only the directory and requested members are read. Call close(). */
  static open(path: string): NpzArchive {
    const fd = openForReading(path);
    try {
      const stat = fstatSync(fd);
      if (stat.isDirectory()) throw new FormatError(path, 'is a folder, expected a .npz file');
      const size = stat.size;
      const src: ByteSource = {
        size,
        read(offset, length) {
          const n = Math.max(0, Math.min(length, size - offset));
          const buf = Buffer.allocUnsafe(n);
          let done = 0;
          while (done < n) {
            let got: number;
            try {
              got = readSync(fd, buf, done, n - done, offset + done);
            } catch (error) {
              throw fileError(path, error);
            }
            if (got === 0) break;
            done += got;
          }
          return buf.subarray(0, done);
        },
      };
      return new NpzArchive(src, path, () => closeSync(fd));
    } catch (error) {
      closeSync(fd);
      throw error;
    }
  }

  /** The array names (`arr_0`, `mu`, ...), in archive order. */
  keys(): string[] {
    return [...this.entries.keys()];
  }

  has(key: string): boolean {
    return this.entries.has(key);
  }

  get(key: string): NpyArray {
    return parseNpy(this.bytes(key), `${this.name}:${key}`);
  }

  /** The member's `.npy` file as stored (decompressed, CRC-checked), without parsing it. */
  bytes(key: string): Uint8Array {
    const entry = this.entries.get(key);
    if (entry === undefined) {
      throw new FormatError(
        this.name,
        `expected an array named '${key}', got keys [${this.keys().join(', ')}] (no zip member ${key}.npy)`,
      );
    }
    return readZipEntry(this.src, entry, this.name);
  }

  close(): void {
    this.onClose();
  }
}

/** Reads every array of a `.npz` file into memory. */
export function readNpz(path: string): Record<string, NpyArray> {
  const archive = NpzArchive.open(path);
  try {
    return Object.fromEntries(archive.keys().map((k) => [k, archive.get(k)]));
  } finally {
    archive.close();
  }
}

/** Reads a `.npy` file. */
export function readNpy(path: string): NpyArray {
  return parseNpy(readFileBytes(path), path);
}

/** Writes a `.npy` file (atomically: temporary file, then rename). */
export function writeNpy(
  path: string,
  array: { shape: readonly number[]; data: NpyData; dtype?: NpyDtype },
): void {
  writeFileAtomic(path, serializeNpy(array));
}

export type NpzInput = Record<
  string,
  { shape: readonly number[]; data: NpyData; dtype?: NpyDtype }
>;

export interface SerializeNpzOptions {
  /** Deflate members, as `np.savez_compressed`; default false (stored, as `np.savez`). */
  compress?: boolean;
}

/** Builds `.npz` bytes readable by `np.load`. */
export function serializeNpz(arrays: NpzInput, options: SerializeNpzOptions = {}): Uint8Array {
  const members = Object.entries(arrays).map(([key, array]) => ({
    name: `${key}.npy`,
    bytes: serializeNpy(array),
  }));
  return buildZip(members, options.compress ?? false);
}

/** Writes a `.npz` file readable by `np.load` (atomically: temporary file, then rename). */
export function writeNpz(path: string, arrays: NpzInput, options: SerializeNpzOptions = {}): void {
  writeFileAtomic(path, serializeNpz(arrays, options));
}
