/**
 * Where the process layers' dropout and drop-path masks come from. The model asks a
 * `MaskSource` for a bool keep-mask by name; the two sources here either draw them inside the
 * graph (RandomUniformLike, the default for training) or declare them as graph inputs so a caller
 * (or a test) fixes them exactly.
 */
import type { Dim, DType, Shape, Tensor } from '@ns/graph';
import { perExample, randomKeep } from './internal/ops.js';

export interface MaskSource {
  /**
   * A bool keep-mask named `name`, each element kept with probability 1 − rate. `like` fixes the
   * shape: the mask is shaped like `like` for unit dropout, like `perExample(like)` ([B, 1, 1])
   * for drop-path.
   */
  keep(name: string, like: Tensor, rate: number, kind: 'units' | 'path'): Tensor;
}

/** FNV-1a of a name, so each mask gets its own RandomUniformLike seed. */
function hash(s: string): number {
  let h = 0x811c9dc5;
  for (const ch of s) h = Math.imul(h ^ ch.charCodeAt(0), 0x01000193) >>> 0;
  return h;
}

/** Masks drawn inside the graph, seeded by `seed` and the mask's name. */
export function randomMasks(seed = 0): MaskSource {
  return {
    keep(name, like, rate, kind) {
      const carrier = kind === 'path' ? perExample(like) : like;
      // float seeds are exact up to 2^24
      return randomKeep(carrier, rate, ((seed ^ hash(name)) >>> 0) % 2 ** 24);
    },
  };
}

export interface MaskInput {
  readonly name: string;
  readonly shape: Shape;
  readonly dtype: DType;
}

/** Masks declared as bool graph inputs named `mask/<name>`; `declared` lists them (for feeds). */
export function maskInputs(): MaskSource & { readonly declared: MaskInput[] } {
  const declared: MaskInput[] = [];
  return {
    declared,
    keep(name, like, _rate, kind) {
      const shape: Dim[] = kind === 'path' ? [like.shape[0]!, 1, 1] : [...like.shape];
      const full = `mask/${name}`;
      declared.push({ name: full, shape, dtype: 'bool' });
      return like.graph.input(full, shape, 'bool');
    },
  };
}

/** The same source with every mask name under `prefix/` (e.g. one draw per forward pass). */
export function prefixMasks(source: MaskSource, prefix: string): MaskSource {
  return { keep: (name, like, rate, kind) => source.keep(`${prefix}/${name}`, like, rate, kind) };
}
