/**
 * The random draws of one training step (t, ε, self-conditioning and label-dropout masks, dropout
 * keep-masks), derived from (seed, step) alone: a resumed run draws exactly what the continuous
 * run would have, with no generator state to save.
 */
import { Rng } from '@ns/random';
import type { Schedule } from '@ns/schedules';
import type { DiffusionNet, RandomMaskSpec } from './net.js';
import { randomInputName } from './objective.js';

/** What the draws of a step depend on: the network's geometry and its dropout masks. */
export interface StepInputSpec {
  readonly imageSize: number;
  readonly channels: number;
  readonly numClasses: number;
  readonly selfCondition: boolean;
  readonly randomInputs: Readonly<Record<string, RandomMaskSpec>>;
}

export function stepInputSpec(net: DiffusionNet): StepInputSpec {
  return {
    imageSize: net.imageSize,
    channels: net.channels,
    numClasses: net.numClasses,
    selfCondition: net.selfCondition,
    randomInputs: net.randomInputs(),
  };
}

export interface DrawnInput {
  /** float32 values, or a bool mask as Uint8Array. */
  readonly data: Float32Array | Uint8Array;
  readonly shape: readonly number[];
}

export interface StepDraws {
  readonly t: Float64Array;
  /** Feeds by training-graph input name. */
  readonly feeds: Record<string, DrawnInput>;
}

export interface DrawOptions {
  readonly seed: number;
  readonly step: number;
  readonly batch: number;
  readonly schedule: Schedule;
  /** Probability of using the self-conditioning latents (the papers: 0.9). */
  readonly selfCondRate: number;
  /** Probability of dropping the class label (Table 2: 0 or 0.1). */
  readonly labelDropout: number;
}

const bernoulli = (rng: Rng, n: number, p: number): Float32Array =>
  Float32Array.from({ length: n }, () => (rng.uniform() < p ? 1 : 0));

export function drawStepInputs(net: StepInputSpec, o: DrawOptions): StepDraws {
  const rng = new Rng(o.seed).fold(`step-${o.step}`);
  const { batch } = o;
  const t = new Float64Array(batch);
  // One stream per quantity, so changing e.g. the batch of one never shifts another.
  const tRng = rng.fold('t');
  for (let i = 0; i < batch; i++) t[i] = tRng.uniform();
  const gamma = Float32Array.from(o.schedule.gammaArray(t));
  const size = net.imageSize * net.imageSize * net.channels;
  const noise = new Float32Array(batch * size);
  rng.fold('noise').normals(noise.length, noise);
  const keepLabels = net.numClasses > 0 ? 1 - o.labelDropout : 0;
  const perExample = (data: Float32Array): DrawnInput => ({ data, shape: [batch] });
  const feeds: Record<string, DrawnInput> = {
    gamma: perExample(gamma),
    noise: { data: noise, shape: [batch, net.imageSize, net.imageSize, net.channels] },
    labelMask: perExample(bernoulli(rng.fold('labelMask'), batch, keepLabels)),
  };
  if (net.selfCondition) {
    feeds['labelMaskSelfCond'] = perExample(
      bernoulli(rng.fold('labelMaskSelfCond'), batch, keepLabels),
    );
    feeds['selfCondMask'] = perExample(bernoulli(rng.fold('selfCondMask'), batch, o.selfCondRate));
  }
  const passes = net.selfCondition ? (['selfCond', 'main'] as const) : (['main'] as const);
  for (const pass of passes) {
    for (const [name, spec] of Object.entries(net.randomInputs)) {
      const n = batch * spec.shape.reduce((a, d) => a * d, 1);
      // kept with probability 1 − rate, one raw draw per value (see Rng.bernoulli)
      const keep = rng.fold(randomInputName(name, pass)).bernoulli(n, 1 - spec.rate);
      feeds[randomInputName(name, pass)] = { data: keep, shape: [batch, ...spec.shape] };
    }
  }
  return { t, feeds };
}
