import { readFileSync } from 'node:fs';
import { join } from 'node:path';

export const FIXTURES = join(__dirname, 'fixtures');

export interface Manifest {
  png: { file: string; height: number; width: number; channels: number; writer: string }[];
  jpeg: { file: string; height: number; width: number; channels: number }[];
  resize: { file: string; method: 'area' | 'bilinear'; height: number; width: number }[];
  resizeSource: { file: string; height: number; width: number; channels: number };
  npz: { file: string; shape: [number, number, number, number]; labels: number[] | null }[];
}

export const manifest: Manifest = JSON.parse(readFileSync(join(FIXTURES, 'manifest.json'), 'utf8'));

export function fixture(name: string): Uint8Array {
  return new Uint8Array(readFileSync(join(FIXTURES, name)));
}

/** Largest absolute difference and mean absolute difference of two equal-length byte arrays. */
export function diffStats(a: Uint8Array, b: Uint8Array): { max: number; mean: number } {
  if (a.length !== b.length) throw new Error(`length ${a.length} vs ${b.length}`);
  let max = 0;
  let sum = 0;
  for (let i = 0; i < a.length; i++) {
    const d = Math.abs(a[i]! - b[i]!);
    sum += d;
    if (d > max) max = d;
  }
  return { max, mean: sum / a.length };
}

/** Deterministic pseudo-random bytes (LCG), for test images. */
export function noiseBytes(length: number, seed = 1): Uint8Array {
  const out = new Uint8Array(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s >>> 24;
  }
  return out;
}
