/**
 * Random draws the graph needs, from the one generator of the project (@ns/random): `Rng` is
 * re-exported so existing `@ns/graph` users keep working, and dropout keep-masks are drawn here.
 */
import { Rng } from '@ns/random';

export { Rng };

/** A bool keep-mask for `dropout`: each element kept with probability 1 − rate. */
export function dropoutMask(rng: Rng, size: number, rate: number): Uint8Array {
  const m = new Uint8Array(size);
  for (let i = 0; i < size; i++) m[i] = rng.uniform() >= rate ? 1 : 0;
  return m;
}
