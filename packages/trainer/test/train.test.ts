/** A run end to end on real onnxruntime sessions and real files: create, train, resume, sample. */
import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildEvalGraph, decodeSafetensors, openSession, ort, Params, toOnnx } from '@ns/graph';
import {
  createRun,
  denoiserModel,
  learningRate,
  listCheckpoints,
  loadCheckpoint,
  netFor,
  openRun,
  pidSpace,
  RUN_FORMAT,
  readLatestName,
  runPath,
  type StepRecord,
} from '../src/index.js';
import { barBatches, collect, mlpRunConfig } from './helpers';

const tempRun = () => join(mkdtempSync(join(tmpdir(), 'ns-train-')), 'run');

async function trainFresh(runDir: string, steps: number, stopAfter?: number) {
  const run = await createRun(runDir, mlpRunConfig(steps));
  try {
    return await collect(
      run.train({
        data: barBatches(),
        threads: 1,
        ...(stopAfter === undefined ? {} : { stopAfter }),
      }),
    );
  } finally {
    await run.release();
  }
}

describe('a run', () => {
  it('is a folder of artifacts; training lowers the loss, logs metrics and checkpoints', async () => {
    const runDir = tempRun();
    const records = await trainFresh(runDir, 40);
    expect(records).toHaveLength(40);
    const first = records.slice(0, 5).reduce((a, r) => a + r.loss, 0) / 5;
    const last = records.slice(-5).reduce((a, r) => a + r.loss, 0) / 5;
    expect(last).toBeLessThan(0.8 * first);
    for (const r of records) expect(Number.isFinite(r.gradNorm) && r.gradNorm > 0).toBe(true);
    for (const f of ['config.json', 'artifacts.json', 'training_model.onnx', 'eval_model.onnx'])
      expect(existsSync(join(runDir, f))).toBe(true);
    const metrics = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8')
      .trim()
      .split('\n')
      .map((l) => JSON.parse(l));
    expect(metrics.map((m) => m.step)).toEqual(records.map((r) => r.step));
    const config = JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8'));
    expect(config).toMatchObject({ format: RUN_FORMAT, schedule: 'simple_linear', steps: 40 });
    expect(config.createdBy).toMatch(/^@ns\/trainer@\d+\.\d+\.\d+/);
    expect(records.filter((r) => r.checkpoint).map((r) => r.step)).toEqual([10, 20, 30, 40]);
    expect((await listCheckpoints(runDir)).map((c) => c.step)).toEqual([30, 40]);
  });

  it('eval_model.onnx runs on a checkpoint file bound as external data, as the rebuilt model does', async () => {
    const runDir = tempRun();
    await trainFresh(runDir, 12);
    const run = await openRun(runDir);
    const checkpoint = (await run.loadCheckpoint())!;
    const emaFile = join(checkpoint.ref.dir, 'ema.safetensors');
    // Bare onnxruntime-node: the run's eval model and the checkpoint's file, nothing else.
    const bound = await ort.InferenceSession.create(runPath(runDir, 'evalModel'), {
      externalData: [{ path: 'weights.safetensors', data: readFileSync(emaFile) }],
    });
    const net = netFor(run.config.model);
    const ema = new Map(
      Object.entries(decodeSafetensors(readFileSync(emaFile)).tensors).map(([k, t]) => [
        k,
        t.data as Float32Array,
      ]),
    );
    const declared = new Params({ seed: 0 });
    buildEvalGraph(denoiserModel(net), declared);
    const rebuilt = await openSession(
      toOnnx(buildEvalGraph(denoiserModel(net), declared.withValues(ema))),
    );
    const n = 3;
    const feeds = {
      x: new ort.Tensor(
        'float32',
        Float32Array.from({ length: n * 64 }, (_, i) => Math.sin(i)),
        [n, 8, 8, 1],
      ),
      gamma: new ort.Tensor('float32', Float32Array.of(0.1, 0.5, 0.9), [n]),
      labels: new ort.Tensor('int64', BigInt64Array.of(0n, 1n, 1n), [n]),
      labelMask: new ort.Tensor('float32', Float32Array.of(1, 1, 0), [n]),
      latentsPrev: new ort.Tensor('float32', new Float32Array(n * 48), [n, 48]),
    };
    const a = await bound.run(feeds);
    const b = await rebuilt.run(feeds);
    expect(a['prediction']!.dims).toEqual([n, 8, 8, 1]);
    expect(Array.from(a['prediction']!.data as Float32Array)).toEqual(
      Array.from(b['prediction']!.data as Float32Array),
    );
    // The online weights bind to the same model and give other outputs.
    const online = await ort.InferenceSession.create(runPath(runDir, 'evalModel'), {
      externalData: [
        {
          path: 'weights.safetensors',
          data: readFileSync(join(checkpoint.ref.dir, 'model.safetensors')),
        },
      ],
    });
    const c = await online.run(feeds);
    expect(Array.from(c['prediction']!.data as Float32Array)).not.toEqual(
      Array.from(a['prediction']!.data as Float32Array),
    );
    await Promise.all([bound.release(), rebuilt.release(), online.release()]);

    const samples = await run.sample({ count: 5, steps: 4, batch: 2, seed: 3, threads: 1 });
    expect(samples).toMatchObject({ count: 5, height: 8, width: 8, channels: 1, step: 12 });
    expect(samples.images).toHaveLength(5 * 64);
    expect(samples.labels).toHaveLength(5);
  });

  it('resumes exactly: 10 + 10 steps give the losses of 20 continuous steps, bit for bit', async () => {
    const continuous = await trainFresh(tempRun(), 20);
    const runDir = tempRun();
    const firstHalf = await trainFresh(runDir, 20, 10);
    const run = await openRun(runDir, { write: true });
    const secondHalf = await collect(run.train({ data: barBatches(), threads: 1 }));
    await run.release();
    expect([...firstHalf, ...secondHalf].map((r) => r.loss)).toEqual(continuous.map((r) => r.loss));
    const metrics = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8').trim().split('\n');
    expect(metrics.map((l) => JSON.parse(l).step)).toEqual(
      Array.from({ length: 20 }, (_, i) => i + 1),
    );
  });

  it('runs 4 updates per session run (the Loop artifact) with the losses of 1 per run, bit for bit', async () => {
    const one = await trainFresh(tempRun(), 22);
    const runDir = tempRun();
    const run = await createRun(runDir, mlpRunConfig(22));
    const four = await collect(run.train({ data: barBatches(), threads: 1, stepsPerRun: 4 }));
    await run.release();
    expect(four.map((r) => r.loss)).toEqual(one.map((r) => r.loss));
    expect(four.map((r) => r.gradNorm)).toEqual(one.map((r) => r.gradNorm));
    // Chunks stop at checkpoints (every 10) and at the end: the same checkpoints as one per run.
    expect(four.filter((r) => r.checkpoint).map((r) => r.step)).toEqual([10, 20, 22]);
  });

  it('stops cleanly on abort with a checkpoint of the last step', async () => {
    const runDir = tempRun();
    const run = await createRun(runDir, mlpRunConfig(100));
    const controller = new AbortController();
    const records: StepRecord[] = [];
    for await (const r of run.train({
      data: barBatches(),
      threads: 1,
      signal: controller.signal,
    })) {
      records.push(r);
      if (r.step === 7) controller.abort();
    }
    await run.release();
    expect(records.at(-1)?.step).toBe(7);
    expect((await run.loadCheckpoint())?.step).toBe(7);
  });

  it('extends to more steps, and refuses a total at or below the current step', async () => {
    const runDir = tempRun();
    await trainFresh(runDir, 6);
    const run = await openRun(runDir, { write: true });
    await expect(run.extend(6)).rejects.toThrow(/--steps 6 is not beyond the run's current step 6/);
    await run.extend(9);
    const more = await collect(run.train({ data: barBatches(), threads: 1 }));
    await run.release();
    expect(more.map((r) => r.step)).toEqual([7, 8, 9]);
    expect(JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8')).steps).toBe(9);
  });
});

describe('what a run refuses', () => {
  it('a second run in a folder that holds one, unless overwriting (which removes the old one)', async () => {
    const runDir = tempRun();
    await trainFresh(runDir, 10);
    await expect(createRun(runDir, mlpRunConfig(5))).rejects.toThrow(
      `${runDir} already holds a run at step 10: pass --resume to continue it, or --overwrite to start over`,
    );
    const notices: string[] = [];
    const run = await createRun(runDir, mlpRunConfig(5), {
      overwrite: true,
      onNotice: (m) => notices.push(m),
    });
    await run.release();
    expect(notices.join('\n')).toMatch(/removed the run that was at step 10/);
    expect((await listCheckpoints(runDir)).map((c) => c.step)).toEqual([0]);
    expect(readFileSync(join(runDir, 'metrics.jsonl'), 'utf8')).toBe('');
  });

  it('a folder that is not a run, and a run of another format naming both versions', async () => {
    const empty = mkdtempSync(join(tmpdir(), 'ns-empty-'));
    await expect(openRun(empty)).rejects.toThrow(`${empty} is not a run folder (no config.json)`);
    const runDir = tempRun();
    await trainFresh(runDir, 2);
    const config = JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8'));
    const { format: _f, createdBy: _c, ...legacy } = config;
    writeFileSync(join(runDir, 'config.json'), JSON.stringify(legacy));
    await expect(openRun(runDir)).rejects.toThrow(
      /was made by an earlier version of @ns\/trainer \(run format 1.*this is @ns\/trainer@.* \(run format 2\)/,
    );
    writeFileSync(
      join(runDir, 'config.json'),
      JSON.stringify({ ...config, format: 9, createdBy: '@ns/trainer@9.0.0' }),
    );
    await expect(openRun(runDir)).rejects.toThrow(/made by @ns\/trainer@9\.0\.0 \(run format 9\)/);
  });

  it('a config.json with bad values, naming each key', async () => {
    const runDir = tempRun();
    await trainFresh(runDir, 2);
    const config = JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8'));
    writeFileSync(
      join(runDir, 'config.json'),
      JSON.stringify({ ...config, lr: -1, batch: 1.5, extra: 1 }),
    );
    const error = await openRun(runDir).catch((e: Error) => e);
    expect(String(error)).toMatch(/config\.json: /);
    for (const issue of [
      'unknown key extra',
      'batch: an integer >= 1, got 1.5',
      'lr: a learning rate > 0, got -1',
    ])
      expect(String(error)).toContain(issue);
  });

  it('a second writer while the first holds the lock; a dead holder is taken over', async () => {
    const runDir = tempRun();
    const first = await createRun(runDir, mlpRunConfig(3));
    await expect(openRun(runDir, { write: true })).rejects.toThrow(
      new RegExp(`${runDir} is in use by process ${process.pid} on .* \\(training, since`),
    );
    await first.release();
    expect(existsSync(join(runDir, 'lock.json'))).toBe(false);
    // A lock left by a process that is gone (killed before it could release it): taken over.
    const dead = spawnSync(process.execPath, ['-e', '0']).pid!;
    writeFileSync(
      join(runDir, 'lock.json'),
      JSON.stringify({
        pid: dead,
        host: hostname(),
        startedAt: 'x',
        heartbeatAt: 'x',
        purpose: 'training',
        token: 't',
      }),
    );
    const notices: string[] = [];
    const second = await openRun(runDir, { write: true, onNotice: (m) => notices.push(m) });
    expect(notices).toContain(
      `${runDir}: took over the lock of process ${dead} on ${hostname()} (training, since x), which is no longer running`,
    );
    expect(JSON.parse(readFileSync(join(runDir, 'lock.json'), 'utf8')).pid).toBe(process.pid);
    await second.release();

    // Same host name, another pid space (a replacement pod, a reboot): its pid says nothing, even
    // a live one (pid 1), so only the heartbeat counts.
    const elsewhere = (heartbeatAt: string) =>
      writeFileSync(
        join(runDir, 'lock.json'),
        JSON.stringify({
          pid: 1,
          host: hostname(),
          pidSpace: 'another-boot/pid:[1]',
          startedAt: 'x',
          heartbeatAt,
          purpose: 'training',
          token: 't',
        }),
      );
    elsewhere(new Date().toISOString());
    await expect(openRun(runDir, { write: true })).rejects.toThrow(/is in use by process 1 on/);
    elsewhere(new Date(Date.now() - 600_000).toISOString());
    const taken: string[] = [];
    const third = await openRun(runDir, { write: true, onNotice: (m) => taken.push(m) });
    expect(taken[0]).toMatch(
      /took over the lock of process 1 on .*, whose last heartbeat was 600 s ago/,
    );
    expect(JSON.parse(readFileSync(join(runDir, 'lock.json'), 'utf8')).pidSpace).toBe(pidSpace());
    await third.release();
  });

  it('initial weights that do not fit the model', async () => {
    const pretrained = tempRun();
    await trainFresh(pretrained, 12);
    const weights = (await (await openRun(pretrained)).loadCheckpoint())!.params;
    const tuned = await createRun(tempRun(), mlpRunConfig(3), { initialWeights: weights });
    const records = await collect(tuned.train({ data: barBatches(), threads: 1 }));
    await tuned.release();
    const fresh = await trainFresh(tempRun(), 3);
    expect(records[0]!.loss).toBeLessThan(fresh[0]!.loss);
    await expect(
      createRun(tempRun(), mlpRunConfig(3), { initialWeights: new Map([...weights].slice(1)) }),
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
  const children: ReturnType<typeof execFile>[] = [];
  afterAll(() => {
    for (const child of children) child.kill('SIGKILL');
  });
  it('a process killed while writing leaves the previous checkpoint loadable', async () => {
    const runDir = tempRun();
    const script = join(__dirname, 'fixtures', 'checkpoint-writer.mjs');
    const dist = join(__dirname, '..', 'dist', 'index.js');
    const shapes = { params: new Map([['w', [2_000_000]]]), slots: ['m', 'v'] };
    const latest = () => loadCheckpoint(runDir, shapes).catch(() => undefined);
    const latestStep = async () => Number((await readLatestName(runDir))?.slice(5) ?? 0);
    let killedAt = 0;
    for (const delay of [0, 29, 97, 181]) {
      const child = execFile(process.execPath, [script, dist, runDir]);
      children.push(child);
      const exited = new Promise((resolve) => child.on('exit', resolve));
      // Wait until this child has published a checkpoint of its own, then kill it mid-write.
      const deadline = Date.now() + 60_000;
      while ((await latestStep()) <= killedAt) {
        if (Date.now() > deadline)
          throw new Error('the checkpoint writer published nothing in 30 s');
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      await new Promise((resolve) => setTimeout(resolve, delay));
      child.kill('SIGKILL');
      await exited;
      const checkpoint = await latest();
      expect(checkpoint).toBeDefined();
      killedAt = checkpoint!.step;
      // Every tensor of a checkpoint holds its own step number: a torn write would mix steps.
      for (const values of [checkpoint!.params, checkpoint!.slots, checkpoint!.ema]) {
        for (const v of values.values()) expect(v.every((x) => x === checkpoint!.step)).toBe(true);
      }
    }
    expect((await latest())?.step).toBeGreaterThan(0);
  }, 180_000);
});
