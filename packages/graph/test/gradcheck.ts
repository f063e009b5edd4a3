/**
 * Finite-difference gradient checks run by real onnxruntime-node. One graph computes
 * loss = Σ f(inputs) ⊙ R (R a fixed random weighting, so every output element matters) and the
 * gradients from `grad`; the same session evaluates the loss at perturbed inputs. For each input
 * we compare the directional derivative ⟨∇, v⟩ with a central difference along random directions v.
 */
import {
  Graph,
  grad,
  mul,
  openSession,
  ort,
  Rng,
  reduceSum,
  type Tensor,
  toOnnx,
} from '../src/index';

export interface InputSpec {
  shape: number[];
  /** Draw values in (lo, hi); default (-1.5, 1.5). */
  range?: [number, number];
  /** Not differentiated (e.g. bool masks, int64 indices): given values. */
  fixed?: { dtype: 'int64' | 'bool'; values: number[] };
}

export interface GradCheckOptions {
  dtype?: 'float32' | 'float64';
  seed?: number;
  directions?: number;
}

type Feeds = Record<string, ort.Tensor>;

const numel = (s: number[]) => s.reduce((a, b) => a * b, 1);

export async function gradCheck(
  specs: Record<string, InputSpec>,
  build: (x: Record<string, Tensor>) => Tensor,
  options: GradCheckOptions = {},
): Promise<{ maxRelErr: number; checked: number }> {
  const dtype = options.dtype ?? 'float64';
  const rng = new Rng(options.seed ?? 1);
  const g = new Graph({ dtype });
  const inputs: Record<string, Tensor> = {};
  const values: Record<string, Float64Array> = {};
  const feeds: Feeds = {};
  const F = dtype === 'float32' ? Float32Array : Float64Array;
  for (const [name, s] of Object.entries(specs)) {
    if (s.fixed) {
      inputs[name] = g.input(name, s.shape, s.fixed.dtype);
      feeds[name] =
        s.fixed.dtype === 'int64'
          ? new ort.Tensor('int64', BigInt64Array.from(s.fixed.values.map(BigInt)), s.shape)
          : new ort.Tensor('bool', Uint8Array.from(s.fixed.values), s.shape);
      continue;
    }
    inputs[name] = g.input(name, s.shape, dtype);
    const [lo, hi] = s.range ?? [-1.5, 1.5];
    values[name] = Float64Array.from(
      { length: numel(s.shape) },
      () => lo + (hi - lo) * rng.uniform(),
    );
  }
  const y = build(inputs);
  const weights = g.constant(
    Array.from({ length: numel(y.shape as number[]) }, () => rng.normal()),
    dtype,
    y.shape as number[],
  );
  const loss = reduceSum(mul(y, weights));
  const diffNames = Object.keys(values);
  const grads = grad(
    loss,
    diffNames.map((n) => inputs[n]!),
  );
  g.output(loss, 'loss');
  grads.forEach((t, i) => {
    g.output(t, `grad:${diffNames[i]}`);
  });
  const session = await openSession(toOnnx(g), { threads: 1 });
  const feed = (over: Record<string, Float64Array>) => {
    const f: Feeds = { ...feeds };
    for (const n of diffNames)
      f[n] = new ort.Tensor(dtype, F.from(over[n] ?? values[n]!), specs[n]!.shape);
    return f;
  };
  const lossAt = async (over: Record<string, Float64Array>) =>
    Number((await session.run(feed(over), ['loss'])).loss!.data[0]);
  const base = await session.run(feed({}));
  let maxRelErr = 0;
  let checked = 0;
  for (const n of diffNames) {
    const gv = Array.from(base[`grad:${n}`]!.data as Float64Array, Number);
    for (let d = 0; d < (options.directions ?? 3); d++) {
      const v = Float64Array.from(values[n]!, () => rng.normal());
      const analytic = gv.reduce((s, gi, i) => s + gi * v[i]!, 0);
      const along = (h: number) => Float64Array.from(values[n]!, (x, i) => x + h * v[i]!);
      const central = async (h: number) =>
        ((await lossAt({ [n]: along(h) })) - (await lossAt({ [n]: along(-h) }))) / (2 * h);
      let numeric: number;
      if (dtype === 'float64') numeric = await central(1e-6);
      else {
        // float32: Richardson extrapolation of two step sizes cancels the h² term.
        const [d1, d2] = [await central(4e-2), await central(2e-2)];
        numeric = (4 * d2 - d1) / 3;
      }
      const scale = Math.max(1, Math.abs(analytic), Math.abs(numeric));
      maxRelErr = Math.max(maxRelErr, Math.abs(analytic - numeric) / scale);
      checked++;
    }
  }
  await session.release();
  return { maxRelErr, checked };
}
