/** Sampling from a run: batches through @ns/sampler, outputs as a PNG grid, PNGs and an ADM .npz. */
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { imageGrid, makeImage, writeAdmNpz, writePng } from '@ns/data';
import { type Device, openSession } from '@ns/graph';
import { onnxDenoiser, type SamplerName, sample, toUint8 } from '@ns/sampler';
import { ProgressBar } from '../progress.js';
import { exportRunModel, readRunConfig, type WeightsChoice } from './run-dir.js';

export interface GenerateOptions {
  readonly runDir: string;
  readonly outDir: string;
  readonly count: number;
  readonly steps: number;
  readonly sampler: SamplerName;
  readonly schedule: string;
  readonly guidance: number;
  readonly label?: number;
  readonly seed: number;
  readonly batch: number;
  readonly weights: WeightsChoice;
  readonly device: Device;
  readonly threads?: number;
  /** Write one PNG per image as well as the grid (default true). */
  readonly individual?: boolean;
  readonly quiet?: boolean;
}

export interface GenerateResult {
  readonly grid: string;
  readonly npz: string;
  readonly step: number;
}

export async function generate(o: GenerateOptions): Promise<GenerateResult> {
  const config = readRunConfig(o.runDir);
  const rin = config.model.rin;
  const { path, step } = await exportRunModel(o.runDir, o.weights);
  const session = await openSession(path, {
    device: o.device,
    ...(o.threads === undefined ? {} : { threads: o.threads }),
  });
  const size = rin.imageSize * rin.imageSize * rin.channels;
  const pixels = new Uint8Array(o.count * size);
  const labels = new Int32Array(o.count);
  const progress = o.quiet
    ? undefined
    : new ProgressBar({
        total: Math.ceil(o.count / o.batch) * o.steps,
        label: 'sampling',
        unit: 'steps/s',
      });
  let done = 0;
  for (let start = 0; start < o.count; start += o.batch) {
    const batch = Math.min(o.batch, o.count - start);
    const shape = { batch, height: rin.imageSize, width: rin.imageSize, channels: rin.channels };
    const result = await sample({
      denoiser: onnxDenoiser(session, { shape, latentShape: [rin.latents, rin.latentDim] }),
      shape,
      steps: o.steps,
      sampler: o.sampler,
      schedule: o.schedule,
      predict: rin.predict,
      inputScale: config.inputScale,
      normalize: false, // RIN normalises its input itself
      guidance: o.guidance,
      numClasses: rin.numClasses,
      ...(o.label === undefined ? {} : { labels: new Int32Array(batch).fill(o.label) }),
      latentSize: rin.latents * rin.latentDim,
      seed: o.seed + start,
      onStep: () => progress?.update(++done, 1),
    });
    pixels.set(toUint8(result.images), start * size);
    labels.set(result.labels, start);
  }
  progress?.finish();
  await session.release();

  mkdirSync(o.outDir, { recursive: true });
  const images = {
    images: pixels,
    count: o.count,
    height: rin.imageSize,
    width: rin.imageSize,
    channels: rin.channels,
  };
  const grid = join(o.outDir, 'grid.png');
  writePng(grid, imageGrid(images, { padding: 2 }));
  if (o.individual ?? true) {
    const dir = join(o.outDir, 'images');
    mkdirSync(dir, { recursive: true });
    for (let i = 0; i < o.count; i++) {
      const one = makeImage(
        pixels.subarray(i * size, (i + 1) * size),
        rin.imageSize,
        rin.imageSize,
        rin.channels,
      );
      writePng(join(dir, `${String(i).padStart(6, '0')}.png`), one);
    }
  }
  const npz = join(o.outDir, 'samples.npz');
  writeAdmNpz(npz, images, rin.numClasses > 0 ? labels : undefined);
  return { grid, npz, step };
}
