import { crc32, deflateRawSync, inflateRawSync } from 'node:zlib';
import { FormatError } from './errors.js';

/**
 * The subset of the zip format numpy's `savez` / `savez_compressed` produce: stored (method 0) and
 * deflated (method 8) members, with zip64 sizes and offsets when members exceed 4 GiB.
 * Reading goes through a ByteSource so a large `.npz` on disk is read member by member.
 */
export interface ByteSource {
  readonly size: number;
  read(offset: number, length: number): Uint8Array;
}

export function bufferSource(bytes: Uint8Array): ByteSource {
  return { size: bytes.length, read: (o, n) => bytes.subarray(o, o + n) };
}

export interface ZipEntry {
  readonly name: string;
  readonly method: 0 | 8;
  readonly compressedSize: number;
  readonly size: number;
  readonly crc: number;
  readonly localHeaderOffset: number;
}

const EOCD = 0x06054b50;
const ZIP64_EOCD = 0x06064b50;
const ZIP64_LOCATOR = 0x07064b50;
const CENTRAL = 0x02014b50;
const LOCAL = 0x04034b50;

/** Lists the members of a zip archive from its central directory. */
export function readZipDirectory(src: ByteSource, name: string): ZipEntry[] {
  // The end-of-central-directory record sits in the last 22 + 65535 (comment) bytes.
  const tailLength = Math.min(src.size, 22 + 0xffff);
  const tail = src.read(src.size - tailLength, tailLength);
  const tv = view(tail);
  let eocd = -1;
  for (let i = tail.length - 22; i >= 0; i--) {
    if (tv.getUint32(i, true) === EOCD) {
      eocd = i;
      break;
    }
  }
  if (eocd < 0) {
    const head = src.read(0, 4);
    const startsLikeZip = head.length === 4 && view(head).getUint32(0, true) === LOCAL;
    throw new FormatError(
      name,
      startsLikeZip
        ? `truncated zip/.npz: it starts like one but has no end-of-central-directory record in its last ${tailLength} bytes (the file was cut short)`
        : `not a zip/.npz archive (no end-of-central-directory record; the file starts ${hexBytes(head) || 'empty'})`,
    );
  }
  let count = tv.getUint16(eocd + 10, true);
  let dirSize = tv.getUint32(eocd + 12, true);
  let dirOffset = tv.getUint32(eocd + 16, true);
  if (count === 0xffff || dirSize === 0xffffffff || dirOffset === 0xffffffff) {
    const loc = eocd - 20;
    if (loc < 0 || tv.getUint32(loc, true) !== ZIP64_LOCATOR) {
      throw new FormatError(name, 'zip64 archive without a zip64 locator');
    }
    const z64Offset = Number(tv.getBigUint64(loc + 8, true));
    const z = view(src.read(z64Offset, 56));
    if (z.getUint32(0, true) !== ZIP64_EOCD) {
      throw new FormatError(name, 'zip64 end-of-central-directory record not found');
    }
    count = Number(z.getBigUint64(32, true));
    dirSize = Number(z.getBigUint64(40, true));
    dirOffset = Number(z.getBigUint64(48, true));
  }
  if (dirOffset + dirSize > src.size) {
    throw new FormatError(
      name,
      `truncated zip/.npz: the central directory (bytes ${dirOffset}–${dirOffset + dirSize}) lies past the end of the file (${src.size} bytes)`,
    );
  }
  const dir = src.read(dirOffset, dirSize);
  const dv = view(dir);
  const entries: ZipEntry[] = [];
  let p = 0;
  for (let k = 0; k < count; k++) {
    if (p + 46 > dir.length || dv.getUint32(p, true) !== CENTRAL) {
      throw new FormatError(
        name,
        `corrupt zip central directory: entry ${k} of ${count} at byte ${dirOffset + p} has no valid header`,
      );
    }
    const method = dv.getUint16(p + 10, true);
    const crc = dv.getUint32(p + 16, true);
    let compressedSize = dv.getUint32(p + 20, true);
    let size = dv.getUint32(p + 24, true);
    const nameLength = dv.getUint16(p + 28, true);
    const extraLength = dv.getUint16(p + 30, true);
    const commentLength = dv.getUint16(p + 32, true);
    let localHeaderOffset = dv.getUint32(p + 42, true);
    const entryName = new TextDecoder().decode(dir.subarray(p + 46, p + 46 + nameLength));
    // zip64 extended information: the 64-bit values appear in order, only for fields that are 0xffffffff
    let e = p + 46 + nameLength;
    const extraEnd = e + extraLength;
    while (e + 4 <= extraEnd) {
      const id = dv.getUint16(e, true);
      const len = dv.getUint16(e + 2, true);
      if (id === 0x0001) {
        let q = e + 4;
        if (size === 0xffffffff) {
          size = Number(dv.getBigUint64(q, true));
          q += 8;
        }
        if (compressedSize === 0xffffffff) {
          compressedSize = Number(dv.getBigUint64(q, true));
          q += 8;
        }
        if (localHeaderOffset === 0xffffffff) localHeaderOffset = Number(dv.getBigUint64(q, true));
      }
      e += 4 + len;
    }
    if (method !== 0 && method !== 8) {
      throw new FormatError(
        name,
        `member ${entryName}: expected compression method 0 (stored) or 8 (deflate), got ${method}`,
      );
    }
    entries.push({ name: entryName, method, compressedSize, size, crc, localHeaderOffset });
    p = extraEnd + commentLength;
  }
  return entries;
}

/** The uncompressed bytes of one member, CRC-checked. */
export function readZipEntry(src: ByteSource, entry: ZipEntry, name: string): Uint8Array {
  const local = view(src.read(entry.localHeaderOffset, 30));
  if (local.byteLength < 30 || local.getUint32(0, true) !== LOCAL) {
    throw new FormatError(
      name,
      `member ${entry.name}: no local header at byte ${entry.localHeaderOffset} (the file is corrupt or truncated)`,
    );
  }
  const dataOffset =
    entry.localHeaderOffset + 30 + local.getUint16(26, true) + local.getUint16(28, true);
  if (dataOffset + entry.compressedSize > src.size) {
    throw new FormatError(
      name,
      `member ${entry.name}: truncated (its ${entry.compressedSize} bytes at ${dataOffset} run past the end of the file, ${src.size} bytes)`,
    );
  }
  const raw = src.read(dataOffset, entry.compressedSize);
  let bytes: Uint8Array;
  if (entry.method === 0) {
    bytes = raw;
  } else {
    try {
      bytes = inflateRawSync(raw);
    } catch (error) {
      throw new FormatError(
        name,
        `member ${entry.name}: corrupt deflate data (zlib says ${(error as Error).message})`,
      );
    }
  }
  if (bytes.length !== entry.size) {
    throw new FormatError(
      name,
      `member ${entry.name}: expected ${entry.size} bytes after decompression, got ${bytes.length}`,
    );
  }
  const actual = crc32(bytes);
  if (actual !== entry.crc) {
    throw new FormatError(
      name,
      `member ${entry.name}: CRC-32 mismatch (stored 0x${entry.crc.toString(16)}, computed 0x${actual.toString(16)}; the file is corrupt)`,
    );
  }
  return bytes;
}

/** Builds a zip archive (no zip64: each member and the whole archive must stay under 4 GiB). */
export function buildZip(
  members: ReadonlyArray<{ name: string; bytes: Uint8Array }>,
  compress: boolean,
): Uint8Array {
  const parts: Uint8Array[] = [];
  const central: Uint8Array[] = [];
  let offset = 0;
  for (const m of members) {
    const nameBytes = new TextEncoder().encode(m.name);
    const crc = crc32(m.bytes);
    const body = compress ? deflateRawSync(m.bytes) : m.bytes;
    const method = compress ? 8 : 0;
    if (m.bytes.length >= 0xffffffff || offset + body.length >= 0xffffffff) {
      throw new RangeError(
        `${m.name}: ${m.bytes.length} bytes is too large for a zip without zip64 (4 GiB limit)`,
      );
    }
    const local = new Uint8Array(30 + nameBytes.length);
    const lv = view(local);
    lv.setUint32(0, LOCAL, true);
    lv.setUint16(4, 20, true); // version needed
    lv.setUint16(8, method, true);
    lv.setUint16(12, 0x21, true); // DOS date 1980-01-01: fixed so output is reproducible
    lv.setUint32(14, crc, true);
    lv.setUint32(18, body.length, true);
    lv.setUint32(22, m.bytes.length, true);
    lv.setUint16(26, nameBytes.length, true);
    local.set(nameBytes, 30);
    const cd = new Uint8Array(46 + nameBytes.length);
    const cv = view(cd);
    cv.setUint32(0, CENTRAL, true);
    cv.setUint16(4, 20, true);
    cv.setUint16(6, 20, true);
    cv.setUint16(10, method, true);
    cv.setUint16(14, 0x21, true);
    cv.setUint32(16, crc, true);
    cv.setUint32(20, body.length, true);
    cv.setUint32(24, m.bytes.length, true);
    cv.setUint16(28, nameBytes.length, true);
    cv.setUint32(42, offset, true);
    cd.set(nameBytes, 46);
    parts.push(local, body);
    central.push(cd);
    offset += local.length + body.length;
  }
  const dirSize = central.reduce((s, c) => s + c.length, 0);
  const end = new Uint8Array(22);
  const ev = view(end);
  ev.setUint32(0, EOCD, true);
  ev.setUint16(8, members.length, true);
  ev.setUint16(10, members.length, true);
  ev.setUint32(12, dirSize, true);
  ev.setUint32(16, offset, true);
  const out = new Uint8Array(offset + dirSize + 22);
  let p = 0;
  for (const part of [...parts, ...central, end]) {
    out.set(part, p);
    p += part.length;
  }
  return out;
}

function hexBytes(b: Uint8Array): string {
  return Array.from(b, (x) => x.toString(16).padStart(2, '0')).join(' ');
}

function view(b: Uint8Array): DataView {
  return new DataView(b.buffer, b.byteOffset, b.byteLength);
}
