/** RIN (@ns/rin) through the trainer: masks fed from seeded draws, loss falls, resume is exact. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { preset } from '@ns/rin';
import {
  createRun,
  DEFAULT_TRAIN_CONFIG,
  type NewRunConfig,
  openRun,
  rinNet,
} from '../src/index.js';
import { ArrayBatches, collect } from './helpers';

/** 16×16 RGB squares of one of 10 colours at varying places, labelled by colour. */
function squares(count: number) {
  const size = 16;
  const images = new Uint8Array(count * size * size * 3);
  const labels = new Int32Array(count);
  for (let n = 0; n < count; n++) {
    const label = n % 10;
    labels[n] = label;
    const colour = [(label * 73) % 256, (label * 151) % 256, (label * 37 + 90) % 256];
    const x0 = (n * 5) % 10;
    const y0 = (n * 3) % 10;
    for (let y = y0; y < y0 + 6; y++)
      for (let x = x0; x < x0 + 6; x++)
        for (let ch = 0; ch < 3; ch++) images[((n * size + y) * size + x) * 3 + ch] = colour[ch]!;
  }
  return { images, labels };
}

const rin = { ...preset('tiny'), dropout: 0.1, dropPath: 0.1 };
const config = (steps: number): NewRunConfig => ({
  ...DEFAULT_TRAIN_CONFIG,
  batch: 8,
  steps,
  lr: 2e-3,
  warmupSteps: 2,
  emaDecay: 0.99,
  checkpointEvery: 5,
  model: { kind: 'rin', preset: 'tiny', rin },
  data: { name: 'squares', count: 40, licence: 'made by the test', flip: false },
});
const tempRun = () => join(mkdtempSync(join(tmpdir(), 'ns-rin-')), 'run');

describe('RIN through the trainer', () => {
  const net = rinNet(rin);
  const data = () => new ArrayBatches(squares(40), 8, 16 * 16 * 3);

  it('declares the process-layer dropout and drop-path masks as fed inputs', () => {
    const masks = net.randomInputs();
    expect(Object.keys(masks).length).toBeGreaterThan(0);
    for (const spec of Object.values(masks)) expect(spec.rate).toBe(0.1);
  });

  it('trains (loss falls) and resumes bit for bit with dropout on', async () => {
    const fresh = await createRun(tempRun(), config(30));
    const continuous = await collect(fresh.train({ data: data(), threads: 1 }));
    await fresh.release();
    const head = continuous.slice(0, 5).reduce((a, r) => a + r.loss, 0);
    const tail = continuous.slice(-5).reduce((a, r) => a + r.loss, 0);
    expect(tail).toBeLessThan(head);

    const runDir = tempRun();
    const created = await createRun(runDir, config(30));
    const first = await collect(created.train({ data: data(), threads: 1, stopAfter: 10 }));
    await created.release();
    const resumed = await openRun(runDir, { write: true });
    const rest = await collect(resumed.train({ data: data(), threads: 1, stopAfter: 15 }));
    await resumed.release();
    expect([...first, ...rest].map((r) => r.loss)).toEqual(
      continuous.slice(0, 15).map((r) => r.loss),
    );
  });
});
