/** The training loop end to end on real onnxruntime sessions and real files. */
import { execFile } from 'node:child_process';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openSession, ort } from '@ns/graph';
import {
  DEFAULT_TRAIN_CONFIG,
  exportEvalModel,
  learningRate,
  loadLatestCheckpoint,
  mlpDenoiser,
  type StepRecord,
  type TrainConfig,
  train,
} from '../src/index.js';
import { ArrayBatches, barImages } from './helpers';

const net = mlpDenoiser({ imageSize: 8, channels: 1, hidden: 48, numClasses: 2, dropout: 0.1 });
const config = (steps: number): TrainConfig => ({
  ...DEFAULT_TRAIN_CONFIG,
  batch: 16,
  steps,
  lr: 3e-3,
  warmupSteps: 5,
  emaDecay: 0.9,
  labelDropout: 0.1,
  checkpointEvery: 10,
  schedule: 'simple_linear',
  inputScale: 0.8,
});
const data = () => new ArrayBatches(barImages(64), 16, 64);
const tempRun = () => mkdtempSync(join(tmpdir(), 'ns-train-'));

async function collect(iterable: AsyncIterable<StepRecord>): Promise<StepRecord[]> {
  const out: StepRecord[] = [];
  for await (const r of iterable) out.push(r);
  return out;
}

describe('train', () => {
  it('lowers the loss, logs metrics and writes checkpoints', async () => {
    const runDir = tempRun();
    const records = await collect(
      train({ runDir, net, config: config(40), data: data(), threads: 1 }),
    );
    expect(records).toHaveLength(40);
    const first = records.slice(0, 5).reduce((a, r) => a + r.loss, 0) / 5;
    const last = records.slice(-5).reduce((a, r) => a + r.loss, 0) / 5;
    expect(last).toBeLessThan(0.8 * first);
    for (const r of records) expect(Number.isFinite(r.gradNorm) && r.gradNorm > 0).toBe(true);
    const metrics = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(metrics.map((m) => m.step)).toEqual(records.map((r) => r.step));
    expect(Object.keys(metrics[0])).toEqual(
      expect.arrayContaining(['step', 'loss', 'lr', 'gradNorm', 'stepTime', 'imagesPerSecond']),
    );
    expect(JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8')).schedule).toBe(
      'simple_linear',
    );
    const checkpoint = await loadLatestCheckpoint(runDir);
    expect(checkpoint?.step).toBe(40);
    expect(records.filter((r) => r.checkpoint).map((r) => r.step)).toEqual([10, 20, 30, 40]);

    // The EMA weights export to an eval model that runs with a dynamic batch.
    const evalPath = join(runDir, 'eval_model.onnx');
    await exportEvalModel(evalPath, net, config(40), checkpoint!.ema);
    const session = await openSession(evalPath, { threads: 1 });
    const n = 3;
    const out = await session.run({
      x: new ort.Tensor(
        'float32',
        Float32Array.from({ length: n * 64 }, (_, i) => Math.sin(i)),
        [n, 8, 8, 1],
      ),
      gamma: new ort.Tensor('float32', Float32Array.of(0.1, 0.5, 0.9), [n]),
      labels: new ort.Tensor('int64', BigInt64Array.of(0n, 1n, 1n), [n]),
      labelMask: new ort.Tensor('float32', Float32Array.of(1, 1, 0), [n]),
      latentsPrev: new ort.Tensor('float32', new Float32Array(n * 48), [n, 48]),
    });
    expect(out['prediction']!.dims).toEqual([n, 8, 8, 1]);
    expect(out['latents']!.dims).toEqual([n, 48]);
  });

  it('resumes exactly: 10 + 10 steps give the losses of 20 continuous steps, bit for bit', async () => {
    const continuous = await collect(
      train({ runDir: tempRun(), net, config: config(20), data: data(), threads: 1 }),
    );
    const runDir = tempRun();
    const firstHalf = await collect(
      train({ runDir, net, config: config(20), data: data(), threads: 1, stopAfter: 10 }),
    );
    const secondHalf = await collect(
      train({ runDir, net, config: config(20), data: data(), threads: 1, resume: true }),
    );
    expect([...firstHalf, ...secondHalf].map((r) => r.loss)).toEqual(continuous.map((r) => r.loss));
    const metrics = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n');
    expect(metrics.map((l) => JSON.parse(l).step)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  });

  it('stops cleanly on abort with a checkpoint of the last step', async () => {
    const runDir = tempRun();
    const controller = new AbortController();
    const records: StepRecord[] = [];
    for await (const r of train({
      runDir,
      net,
      config: config(100),
      data: data(),
      threads: 1,
      signal: controller.signal,
    })) {
      records.push(r);
      if (r.step === 7) controller.abort();
    }
    expect(records.at(-1)?.step).toBe(7);
    expect((await loadLatestCheckpoint(runDir))?.step).toBe(7);
  });

  it('refuses to resume a run with a different configuration or without checkpoints', async () => {
    const runDir = tempRun();
    await collect(train({ runDir, net, config: config(3), data: data(), threads: 1 }));
    await expect(
      collect(
        train({
          runDir,
          net,
          config: { ...config(3), lr: 1e-3 },
          data: data(),
          threads: 1,
          resume: true,
        }),
      ),
    ).rejects.toThrow(/config.json differs/);
    await expect(
      collect(train({ runDir: tempRun(), net, config: config(3), data: data(), resume: true })),
    ).rejects.toThrow(/does not exist|no checkpoint/);
  });
});

describe('fine-tuning from given weights', () => {
  it('starts a new run from a checkpoint instead of the seeded initialisation', async () => {
    const pretrained = tempRun();
    const first = await collect(
      train({ runDir: pretrained, net, config: config(30), data: data(), threads: 1 }),
    );
    const weights = (await loadLatestCheckpoint(pretrained))!.params;
    const tuned = await collect(
      train({
        runDir: tempRun(),
        net,
        config: config(3),
        data: data(),
        threads: 1,
        initialWeights: weights,
      }),
    );
    expect(tuned[0]!.loss).toBeLessThan(first[0]!.loss * 0.8);
    const partial = new Map([...weights].slice(1));
    await expect(
      collect(
        train({
          runDir: tempRun(),
          net,
          config: config(3),
          data: data(),
          threads: 1,
          initialWeights: partial,
        }),
      ),
    ).rejects.toThrow(/initial weights lack 1 parameters/);
  });
});

describe('learning rate (WarmUpAndDecay)', () => {
  it('warms up linearly, then follows the first r of a cosine', () => {
    const s = { base: 2e-3, warmupSteps: 10, totalSteps: 110, decay: 'cosine@0.7' as const };
    expect(learningRate(s, 1)).toBe(0);
    expect(learningRate(s, 6)).toBeCloseTo(1e-3, 15);
    expect(learningRate(s, 11)).toBeCloseTo(2e-3, 15);
    expect(learningRate(s, 111) / 2e-3).toBeCloseTo(0.5 * (1 + Math.cos(0.7 * Math.PI)), 12); // ≈ 0.206
    expect(learningRate({ ...s, decay: 'constant' }, 100)).toBe(2e-3);
  });
});

describe('checkpoints survive kill -9', () => {
  it('a process killed while writing leaves the previous checkpoint loadable', async () => {
    const runDir = tempRun();
    const script = join(__dirname, 'fixtures', 'checkpoint-writer.mjs');
    const dist = join(__dirname, '..', 'dist', 'index.js');
    let killedAt = 0;
    for (const delay of [0, 29, 97, 181]) {
      const child = execFile(process.execPath, [script, dist, runDir]);
      const exited = new Promise((resolve) => child.on('exit', resolve));
      // Wait until this child has published a checkpoint of its own, then kill it mid-write.
      const deadline = Date.now() + 30_000;
      while (((await loadLatestCheckpoint(runDir).catch(() => undefined))?.step ?? 0) <= killedAt) {
        if (Date.now() > deadline)
          throw new Error('the checkpoint writer published nothing in 30 s');
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      child.kill('SIGKILL');
      await exited;
      const checkpoint = await loadLatestCheckpoint(runDir);
      expect(checkpoint).toBeDefined();
      killedAt = checkpoint!.step;
      // Every tensor of a checkpoint holds its own step number: a torn write would mix steps.
      for (const values of [checkpoint!.params, checkpoint!.slots, checkpoint!.ema]) {
        for (const v of values.values()) expect(v.every((x) => x === checkpoint!.step)).toBe(true);
      }
    }
    expect((await loadLatestCheckpoint(runDir))?.step).toBeGreaterThan(0);
  });
});
