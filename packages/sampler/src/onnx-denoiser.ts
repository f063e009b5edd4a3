/**
 * A {@link Denoiser} over an exported model (eval_model.onnx) run by onnxruntime-node. The RIN
 * export contract (@ns/rin): inputs `x` [B,H,W,C] float32, `gamma` [B] float32, `labels` [B] int64,
 * `labelMask` [B] float32, `latentsPrev` [B,L,D] float32; outputs `prediction` and `latents`.
 * Inputs a model does not declare (an unconditional model without `labels`) are not fed.
 */
import { type openSession, ort } from '@ns/graph';
import type { Denoiser, ImageShape } from './denoiser.js';

export interface OnnxDenoiserOptions {
  readonly shape: ImageShape;
  /** Shape of one example's latents, e.g. [latents, latentDim]; [] for a model without them. */
  readonly latentShape?: readonly number[];
}

type Session = Awaited<ReturnType<typeof openSession>>;
type Tensor = InstanceType<typeof ort.Tensor>;

export function onnxDenoiser(session: Session, options: OnnxDenoiserOptions): Denoiser {
  const { batch, height, width, channels } = options.shape;
  const latentShape = options.latentShape ?? [];
  const wants = new Set(session.inputNames);
  for (const required of ['x', 'gamma']) {
    if (!wants.has(required)) {
      throw new RangeError(
        `the model has no input \`${required}\` (inputs: ${session.inputNames.join(', ')})`,
      );
    }
  }
  if (!session.outputNames.includes('prediction')) {
    throw new RangeError(
      `the model has no output \`prediction\` (outputs: ${session.outputNames.join(', ')})`,
    );
  }
  const hasLatents = session.outputNames.includes('latents') && wants.has('latentsPrev');
  // The labels as int64, converted again only when they change (a sampler passes the same ones
  // at every step).
  const labels64 = new BigInt64Array(batch);
  const labelsSeen = new Int32Array(batch);
  let labelsTensor: Tensor | undefined;

  return async (input) => {
    const feeds: Record<string, Tensor> = {
      x: new ort.Tensor('float32', input.x, [batch, height, width, channels]),
      gamma: new ort.Tensor('float32', input.gamma, [batch]),
    };
    if (wants.has('labels')) {
      if (labelsTensor === undefined || !sameValues(labelsSeen, input.labels)) {
        labelsSeen.set(input.labels);
        for (let i = 0; i < batch; i++) labels64[i] = BigInt(input.labels[i]!);
        labelsTensor = new ort.Tensor('int64', labels64, [batch]);
      }
      feeds['labels'] = labelsTensor;
    }
    if (wants.has('labelMask'))
      feeds['labelMask'] = new ort.Tensor('float32', input.labelMask, [batch]);
    if (hasLatents)
      feeds['latentsPrev'] = new ort.Tensor('float32', input.latentsPrev, [batch, ...latentShape]);
    const result = await session.run(feeds);
    const prediction = result['prediction']!.data as Float32Array;
    const latents = hasLatents ? (result['latents']!.data as Float32Array) : new Float32Array(0);
    return { prediction, latents };
  };
}

function sameValues(a: Int32Array, b: Int32Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
