#!/usr/bin/env node
// Builds packages/data/builtin/emoji-32.{png,json}: the built-in 32×32 RGB emoji data set.
//
// Prerequisites (this script installs nothing):
//   apt-get install fonts-noto-color-emoji unicode-data
//   pnpm --filter @ns/data build          (the script uses @ns/data's PNG codec and resizer)
// Run from the repository root:  node tools/data/build-emoji.mjs [--font PATH] [--emoji-test PATH]
//
// What it does:
// 1. Reads emoji-test.txt (Unicode emoji data, from Debian unicode-data) and keeps every
//    fully-qualified emoji that is a single code point (an optional U+FE0F presentation selector
//    is dropped), except the 'Component' group (skin-tone swatches, hair parts). Its group
//    ('Smileys & Emotion', 'Animals & Nature', …) becomes the label. Sequences (ZWJ, skin tones,
//    flags, keycaps) are skipped: they are ligatures in the font and mostly near-duplicates.
// 2. Maps each code point to a glyph with the font's cmap (format 12), finds the glyph's bitmap
//    through CBLC (index subtable formats 1–5) and reads the PNG from CBDT (formats 17, 18, 19).
// 3. Decodes the PNG, flattens alpha onto white, pads it to a centred square (white) and shrinks
//    it to 32×32 with an area (box) filter.
// 4. Writes the images as one PNG sprite sheet (40 per row, in emoji-test.txt order) and a JSON
//    file with the labels, group names, code points, emoji names and the licence.
import { readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { decodePng, encodePng, resizeImage, toChannels } from '../../packages/data/dist/index.js';

const TILE = 32;
const COLUMNS = 40;
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
const { values: args } = parseArgs({
  options: {
    font: { type: 'string', default: '/usr/share/fonts/truetype/noto/NotoColorEmoji.ttf' },
    'emoji-test': { type: 'string', default: '/usr/share/unicode/emoji/emoji-test.txt' },
    out: { type: 'string', default: join(root, 'packages', 'data', 'builtin') },
  },
});

function readEmojiTest(path) {
  const entries = [];
  let group = '';
  let version = '';
  for (const line of readFileSync(path, 'utf8').split('\n')) {
    const groupMatch = /^# group: (.+)$/.exec(line);
    if (groupMatch) group = groupMatch[1].trim();
    const versionMatch = /^# Version: (.+)$/.exec(line);
    if (versionMatch) version = versionMatch[1].trim();
    const m = /^([0-9A-F ]+?)\s*; fully-qualified\s*# \S+ E[\d.]+ (.+)$/.exec(line);
    if (!m || group === 'Component') continue;
    const points = m[1]
      .split(' ')
      .map((h) => Number.parseInt(h, 16))
      .filter((cp) => cp !== 0xfe0f);
    if (points.length !== 1) continue;
    entries.push({ codepoint: points[0], group, name: m[2].trim() });
  }
  return { entries, version };
}

class Font {
  constructor(bytes) {
    this.bytes = bytes;
    this.view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
    this.tables = new Map();
    const numTables = this.view.getUint16(4);
    for (let i = 0; i < numTables; i++) {
      const rec = 12 + 16 * i;
      const tag = String.fromCharCode(...bytes.subarray(rec, rec + 4));
      this.tables.set(tag, {
        offset: this.view.getUint32(rec + 8),
        length: this.view.getUint32(rec + 12),
      });
    }
  }
  table(tag) {
    const t = this.tables.get(tag);
    if (!t) throw new Error(`font has no ${tag} table`);
    return t.offset;
  }
  u8(o) {
    return this.view.getUint8(o);
  }
  u16(o) {
    return this.view.getUint16(o);
  }
  u32(o) {
    return this.view.getUint32(o);
  }

  /** code point → glyph id, from the (3, 10) format-12 cmap subtable. */
  cmap() {
    const base = this.table('cmap');
    const count = this.u16(base + 2);
    for (let i = 0; i < count; i++) {
      const sub = base + this.u32(base + 4 + 8 * i + 4);
      if (this.u16(sub) !== 12) continue;
      const map = new Map();
      const groups = this.u32(sub + 12);
      for (let g = 0; g < groups; g++) {
        const rec = sub + 16 + 12 * g;
        const start = this.u32(rec);
        const end = this.u32(rec + 4);
        const glyph = this.u32(rec + 8);
        for (let cp = start; cp <= end; cp++) map.set(cp, glyph + cp - start);
      }
      return map;
    }
    throw new Error('font has no format-12 cmap subtable');
  }

  /** glyph id → PNG bytes, from the first (largest) CBLC strike. */
  bitmaps() {
    const cblc = this.table('CBLC');
    const cbdt = this.table('CBDT');
    const numSizes = this.u32(cblc + 4);
    if (numSizes < 1) throw new Error('CBLC has no strikes');
    const size = cblc + 8; // first BitmapSize record
    const arrayStart = cblc + this.u32(size);
    const subtables = this.u32(size + 8);
    const ppem = this.u8(size + 44);
    const pngs = new Map();
    for (let s = 0; s < subtables; s++) {
      const rec = arrayStart + 8 * s;
      const first = this.u16(rec);
      const last = this.u16(rec + 2);
      const sub = arrayStart + this.u32(rec + 4);
      const indexFormat = this.u16(sub);
      const imageFormat = this.u16(sub + 2);
      const imageData = cbdt + this.u32(sub + 4);
      const offsets = []; // [glyph, start, end] relative to imageData
      if (indexFormat === 1 || indexFormat === 3) {
        const step = indexFormat === 1 ? 4 : 2;
        const read = (i) =>
          indexFormat === 1 ? this.u32(sub + 8 + 4 * i) : this.u16(sub + 8 + 2 * i);
        for (let g = first; g <= last; g++) offsets.push([g, read(g - first), read(g - first + 1)]);
        void step;
      } else if (indexFormat === 2) {
        const imageSize = this.u32(sub + 8);
        for (let g = first; g <= last; g++)
          offsets.push([g, (g - first) * imageSize, (g - first + 1) * imageSize]);
      } else if (indexFormat === 4) {
        const n = this.u32(sub + 8);
        for (let i = 0; i < n; i++) {
          offsets.push([
            this.u16(sub + 12 + 4 * i),
            this.u16(sub + 14 + 4 * i),
            this.u16(sub + 18 + 4 * i),
          ]);
        }
      } else if (indexFormat === 5) {
        const imageSize = this.u32(sub + 8);
        const n = this.u32(sub + 20);
        for (let i = 0; i < n; i++)
          offsets.push([this.u16(sub + 24 + 2 * i), i * imageSize, (i + 1) * imageSize]);
      } else {
        throw new Error(`CBLC index subtable format ${indexFormat} is not supported`);
      }
      for (const [glyph, start, end] of offsets) {
        if (end <= start) continue; // no bitmap for this glyph
        let at = imageData + start;
        if (imageFormat === 17)
          at += 5; // smallGlyphMetrics
        else if (imageFormat === 18)
          at += 8; // bigGlyphMetrics
        else if (imageFormat !== 19)
          throw new Error(`CBDT image format ${imageFormat} is not supported`);
        const length = this.u32(at);
        pngs.set(glyph, this.bytes.subarray(at + 4, at + 4 + length));
      }
    }
    return { pngs, ppem };
  }
}

/** Flattens on white, pads to a centred white square, area-resizes to TILE×TILE. */
function toTile(png) {
  const rgb = toChannels(decodePng(png), 3);
  const side = Math.max(rgb.height, rgb.width);
  const square = new Uint8Array(side * side * 3).fill(255);
  const top = Math.floor((side - rgb.height) / 2);
  const left = Math.floor((side - rgb.width) / 2);
  for (let y = 0; y < rgb.height; y++) {
    square.set(
      rgb.data.subarray(y * rgb.width * 3, (y + 1) * rgb.width * 3),
      ((top + y) * side + left) * 3,
    );
  }
  return resizeImage({ data: square, height: side, width: side, channels: 3 }, TILE, TILE, 'area');
}

const { entries, version } = readEmojiTest(args['emoji-test']);
const font = new Font(new Uint8Array(readFileSync(args.font)));
const cmap = font.cmap();
const { pngs, ppem } = font.bitmaps();
const kept = [];
let missing = 0;
for (const entry of entries) {
  const glyph = cmap.get(entry.codepoint);
  const png = glyph === undefined ? undefined : pngs.get(glyph);
  if (!png) {
    missing++;
    continue;
  }
  kept.push({ ...entry, tile: toTile(png) });
}
const classNames = [...new Set(kept.map((e) => e.group))];
const rows = Math.ceil(kept.length / COLUMNS);
const sheet = new Uint8Array(rows * TILE * COLUMNS * TILE * 3).fill(255);
const sheetWidth = COLUMNS * TILE;
kept.forEach((entry, i) => {
  const top = Math.floor(i / COLUMNS) * TILE;
  const left = (i % COLUMNS) * TILE;
  for (let y = 0; y < TILE; y++) {
    sheet.set(
      entry.tile.data.subarray(y * TILE * 3, (y + 1) * TILE * 3),
      ((top + y) * sheetWidth + left) * 3,
    );
  }
});
const png = encodePng(
  { data: sheet, height: rows * TILE, width: sheetWidth, channels: 3 },
  { level: 9 },
);
writeFileSync(join(args.out, 'emoji-32.png'), png);
const meta = {
  format: 1,
  name: 'emoji',
  count: kept.length,
  tile: TILE,
  columns: COLUMNS,
  channels: 3,
  background: [255, 255, 255],
  classNames,
  labels: kept.map((e) => classNames.indexOf(e.group)),
  codepoints: kept.map((e) => `U+${e.codepoint.toString(16).toUpperCase().padStart(4, '0')}`),
  names: kept.map((e) => e.name),
  licence:
    'Noto Color Emoji artwork © 2013-2017 Google Inc., Apache-2.0 (font: SIL OFL 1.1); bitmaps from Debian fonts-noto-color-emoji, see builtin/EMOJI-LICENCE.txt',
  source: {
    font: 'NotoColorEmoji.ttf (Debian fonts-noto-color-emoji)',
    strikePpem: ppem,
    emojiTest: `emoji-test.txt ${version} (Debian unicode-data)`,
    script: 'tools/data/build-emoji.mjs',
  },
};
writeFileSync(join(args.out, 'emoji-32.json'), `${JSON.stringify(meta)}\n`);
const perClass = classNames.map((c, k) => `${c}: ${meta.labels.filter((l) => l === k).length}`);
console.log(
  `emoji-32: ${kept.length} images (${missing} single-code-point emoji without a bitmap), ${png.length} bytes PNG`,
);
console.log(`  ${perClass.join(', ')}`);
