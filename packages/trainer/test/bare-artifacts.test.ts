/**
 * The run folder is the training artifacts: a bare onnxruntime-node InferenceSession on the
 * folder's training_model.onnx, fed the step-1 checkpoint's tensors as they lie in its
 * safetensors files (read here with ten lines, not the project's reader) and step 2's batch and
 * draws, takes step 2 exactly as `run.train` did: the same loss as metrics.jsonl and the same
 * weights, moments and EMA as the step-2 checkpoint, bit for bit.
 */
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ort } from '@ns/graph';
import { parseSchedule } from '@ns/schedules';
import { createRun, drawStepInputs, learningRate, parseDecay, runPath } from '../src/index.js';
import { readArtifacts } from '../src/run/artifacts.js';
import { barBatches, collect, mlpRunConfig } from './helpers';

const tempRun = () => join(mkdtempSync(join(tmpdir(), 'ns-bare-')), 'run');

/** safetensors: an 8-byte little-endian header length, a JSON header, then the raw tensors. */
function readSafetensors(path: string): Map<string, { shape: number[]; data: Float32Array }> {
  const bytes = readFileSync(path);
  const headerLength = Number(bytes.readBigUInt64LE(0));
  const header = JSON.parse(bytes.subarray(8, 8 + headerLength).toString('utf8'));
  const tensors = new Map<string, { shape: number[]; data: Float32Array }>();
  for (const [name, entry] of Object.entries(header) as [
    string,
    { dtype: string; shape: number[]; data_offsets: [number, number] },
  ][]) {
    if (name === '__metadata__') continue;
    expect(entry.dtype).toBe('F32');
    const [from, to] = entry.data_offsets.map((o) => o + 8 + headerLength);
    tensors.set(name, {
      shape: entry.shape,
      data: new Float32Array(bytes.buffer.slice(bytes.byteOffset + from!, bytes.byteOffset + to!)),
    });
  }
  return tensors;
}

it("takes step 2 with a bare InferenceSession on the run's training_model.onnx, bit for bit", async () => {
  const runDir = tempRun();
  const config = mlpRunConfig(2, { checkpointEvery: 1 });
  const run = await createRun(runDir, config);
  await collect(run.train({ data: barBatches(), threads: 1 }));
  await run.release();
  const checkpoint = (step: number, file: string) =>
    readSafetensors(
      join(runDir, 'checkpoints', `step-${String(step).padStart(8, '0')}`, `${file}.safetensors`),
    );

  const feeds: Record<string, ort.Tensor> = {};
  const carried = (name: string, t: { shape: number[]; data: Float32Array }) => {
    feeds[name] = new ort.Tensor('float32', t.data, t.shape);
  };
  for (const [name, t] of checkpoint(1, 'model')) carried(name, t);
  for (const [name, t] of checkpoint(1, 'optimizer')) carried(name, t);
  for (const [name, t] of checkpoint(1, 'ema')) carried(`${name}.ema`, t);

  // Step 2's data: the second batch of the source, and the seeded draws of step 2.
  const data = barBatches();
  data.next();
  const batch = data.next();
  const manifest = await readArtifacts(runDir);
  const { imageSize, channels } = manifest.stepInputs;
  feeds.images = new ort.Tensor(
    'float32',
    Float32Array.from(batch.images, (v) => v / 255),
    [config.batch, imageSize, imageSize, channels],
  );
  feeds.labels = new ort.Tensor('int64', BigInt64Array.from(batch.labels, BigInt), [config.batch]);
  const latents = manifest.latentShape.reduce((a, d) => a * d, 1);
  feeds.latentsZero = new ort.Tensor('float32', new Float32Array(config.batch * latents), [
    config.batch,
    ...manifest.latentShape,
  ]);
  const draws = drawStepInputs(manifest.stepInputs, {
    seed: config.seed,
    step: 2,
    batch: config.batch,
    schedule: parseSchedule(config.schedule),
    selfCondRate: config.selfCondRate,
    labelDropout: config.labelDropout,
  });
  for (const [name, { data: value, shape }] of Object.entries(draws.feeds))
    feeds[name] =
      value instanceof Uint8Array
        ? new ort.Tensor('bool', value, [...shape])
        : new ort.Tensor('float32', value, [...shape]);
  const lr = learningRate(
    {
      base: config.lr,
      warmupSteps: config.warmupSteps,
      totalSteps: config.steps,
      decay: parseDecay(config.lrDecay),
    },
    2,
  );
  feeds.lr = new ort.Tensor('float32', Float32Array.of(lr), []);
  feeds.step = new ort.Tensor('int64', BigInt64Array.of(2n), []);

  const session = await ort.InferenceSession.create(runPath(runDir, 'trainingModel'), {
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
  });
  const unused = Object.keys(feeds).filter((n) => !session.inputNames.includes(n));
  const given = Object.fromEntries(
    Object.entries(feeds).filter(([n]) => session.inputNames.includes(n)),
  );
  expect(session.inputNames.filter((n) => !(n in given))).toEqual([]);
  expect(unused.filter((n) => n !== 'latentsZero')).toEqual([]);
  const out = await session.run(given);
  await session.release();

  const metrics = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((l) => JSON.parse(l));
  expect((out.loss!.data as Float32Array)[0]).toBe(metrics[1].loss);
  const same = (got: ort.Tensor | undefined, want: Float32Array) => {
    expect(got).toBeDefined();
    expect(Buffer.from((got!.data as Float32Array).buffer).equals(Buffer.from(want.buffer))).toBe(
      true,
    );
  };
  for (const [name, t] of checkpoint(2, 'model')) same(out[`${name}.new`], t.data);
  for (const [name, t] of checkpoint(2, 'optimizer')) same(out[`${name}.new`], t.data);
  for (const [name, t] of checkpoint(2, 'ema')) same(out[`${name}.ema.new`], t.data);
});
