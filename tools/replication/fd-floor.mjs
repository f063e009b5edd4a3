#!/usr/bin/env node
/**
 * The floor of the sweep's metric: FD_mnist between real held-out images and the sweep's
 * reference, both at the same resolution and processed exactly as `ns sweep` processes samples
 * (area-resampled to the extractor's 28×28). A model cannot score below this with the same number
 * of samples; it is the bias of a 500-sample Fréchet distance, not a property of any model.
 *
 *   node tools/replication/fd-floor.mjs [samples=500] [resolutions=16,32,64]
 */
import { readFileSync } from 'node:fs';
import { loadDataset, resizeDataset, sliceDataset } from '../../packages/data/dist/index.js';
import {
  featureStatistics,
  frechetDistance,
  OnnxFeatureExtractor,
} from '../../packages/eval-fid/dist/index.js';

const extractors = new URL('../../packages/eval-fid/extractors/', import.meta.url);
const meta = JSON.parse(readFileSync(new URL('mnist.json', extractors), 'utf8'));
const samples = Number(process.argv[2] ?? 500);
const resolutions = (process.argv[3] ?? '16,32,64').split(',').map(Number);

const model = await OnnxFeatureExtractor.load(new URL('mnist.onnx', extractors).pathname, {
  mode: meta.mode,
  contract: meta.contract,
  batchSize: 250,
});
async function moments(images) {
  const atInput = resizeDataset(images, meta.contract.size, 'area');
  return featureStatistics(
    await model.extract({ ...atInput, data: atInput.images }),
    meta.contract.dim,
  );
}
const test = loadDataset('mnist-test');
console.log(
  `FD_mnist of ${samples} real test images (mnist-test[5000:]) to the reference (mnist-test[0:2000])`,
);
for (const resolution of resolutions) {
  // As the sweep: the held-out set resampled to the resolution (reference: its first 2000 images).
  const reference = await moments(resizeDataset(sliceDataset(test, 0, 2000), resolution));
  const real = await moments(resizeDataset(sliceDataset(test, 5000, 5000 + samples), resolution));
  console.log(
    `${resolution}×${resolution}: ${frechetDistance(reference, real).distance.toFixed(3)}`,
  );
}
await model.release();
