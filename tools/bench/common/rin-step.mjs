// One RIN training step as `ns train` builds it, from @ns/trainer's exports: the training spec
// (trainingSpec: Algorithm 2 objective around rinNet, LAMB, EMA, grad_norm) and the feeds of
// step k (a data batch plus the step's seeded random draws, as the trainer's loop feeds them).
import { randomFillSync } from 'node:crypto';
import { ort, Rng } from '../../../packages/graph/dist/index.js';
import { parseSchedule } from '../../../packages/schedules/dist/index.js';
import {
  DEFAULT_TRAIN_CONFIG,
  drawStepInputs,
  rinNet,
  stepInputSpec,
  trainingSpec,
} from '../../../packages/trainer/dist/index.js';

/** The TrainingSpec `ns train` makes for `rin` with the default configuration. */
export function rinTrainingSpec(rin, { seed = 0, optimizer = 'lamb' } = {}) {
  return trainingSpec(rinNet(rin), { ...DEFAULT_TRAIN_CONFIG, seed, optimizer });
}

const tensor = ({ data, shape }) =>
  data instanceof Uint8Array
    ? new ort.Tensor('bool', data, [...shape])
    : new ort.Tensor('float32', data, [...shape]);

/**
 * The feeds of update `step` for every data input in `names`. `draws: 'trainer'` draws t, ε and
 * the masks exactly as the trainer does (drawStepInputs); `'fast'` fills the dropout masks from
 * the OS generator at the same rate instead: the same tensors for timing, without the
 * per-element JS loop that takes seconds per step at cifar10's 400M mask entries.
 */
export function stepFeeds(rin, names, { seed = 0, step, batch, draws = 'trainer' }) {
  const net = rinNet(rin);
  const c = DEFAULT_TRAIN_CONFIG;
  const rates = net.randomInputs();
  const spec = stepInputSpec(net);
  const drawn = drawStepInputs(draws === 'fast' ? { ...spec, randomInputs: {} } : spec, {
    seed,
    step,
    batch,
    schedule: parseSchedule(c.schedule),
    selfCondRate: c.selfCondRate,
    labelDropout: c.labelDropout,
  }).feeds;
  const rng = new Rng(seed).fold(`batch-${step}`);
  const image = [batch, net.imageSize, net.imageSize, net.channels];
  const feeds = {
    images: new ort.Tensor(
      'float32',
      Float32Array.from(
        { length: image.reduce((a, d) => a * d, 1) },
        () => Math.floor(rng.uniform() * 256) / 255,
      ),
      image,
    ),
    labels: new ort.Tensor(
      'int64',
      BigInt64Array.from({ length: batch }, () =>
        BigInt(Math.floor(rng.uniform() * Math.max(net.numClasses, 1))),
      ),
      [batch],
    ),
    latentsZero: new ort.Tensor(
      'float32',
      new Float32Array(batch * net.latentShape.reduce((a, d) => a * d, 1)),
      [batch, ...net.latentShape],
    ),
  };
  for (const name of names) {
    if (name in feeds) continue;
    if (drawn[name]) {
      feeds[name] = tensor(drawn[name]);
      continue;
    }
    // A dropout keep-mask `<mask>@<pass>` in 'fast' mode: Bernoulli(1 − rate) from random bytes.
    const mask = rates[name.slice(0, name.lastIndexOf('@'))];
    if (draws !== 'fast' || !mask) throw new Error(`no value for training input '${name}'`);
    const shape = [batch, ...mask.shape];
    const keep = randomFillSync(new Uint8Array(shape.reduce((a, d) => a * d, 1)));
    const cut = Math.round(mask.rate * 256);
    for (let i = 0; i < keep.length; i++) keep[i] = keep[i] >= cut ? 1 : 0;
    feeds[name] = new ort.Tensor('bool', keep, shape);
  }
  return feeds;
}
