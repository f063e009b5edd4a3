/** Loading the PyTorch golden fixture (tools/golden/rin/rin_reference.py) and comparing. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { decodeSafetensors, type SafeTensor } from '@ns/graph';
import { parseRinConfig, type RinConfig } from '../src/index';

export interface Golden {
  readonly config: RinConfig;
  readonly batch: number;
  readonly cases: readonly string[];
  readonly params: readonly string[];
  readonly masks: readonly string[];
  readonly trainCase: string;
  readonly tensors: Record<string, SafeTensor>;
}

const FIXTURES = join(__dirname, '..', 'fixtures');

/** `golden` (conditional, self-conditioned) or `golden-uncond` (neither). */
export function loadGolden(stem = 'golden'): Golden {
  const meta = JSON.parse(readFileSync(join(FIXTURES, `${stem}.json`), 'utf8'));
  const { tensors } = decodeSafetensors(
    new Uint8Array(readFileSync(join(FIXTURES, `${stem}.safetensors`))),
  );
  return { ...meta, config: parseRinConfig(meta.config), tensors };
}

/**
 * ‖a − b‖ / ‖b‖. Attention key biases have a gradient that is exactly zero in exact arithmetic
 * (softmax ignores a per-query constant), so both sides hold rounding noise; for a reference
 * below `zeroBelow` the absolute ‖a − b‖ is returned instead.
 */
export function relL2(a: ArrayLike<number>, b: ArrayLike<number>, zeroBelow = 1e-9): number {
  if (a.length !== b.length) throw new Error(`relL2: lengths ${a.length} vs ${b.length}`);
  let num = 0;
  let den = 0;
  for (let i = 0; i < a.length; i++) {
    num += (a[i]! - b[i]!) ** 2;
    den += b[i]! ** 2;
  }
  return Math.sqrt(den) < zeroBelow ? Math.sqrt(num) : Math.sqrt(num / den);
}
