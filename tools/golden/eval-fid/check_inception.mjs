// Compares @ns/eval-fid's extractor (TS preprocessing + onnxruntime) with torch on the Inception-v3
// architecture exported by export_inception.py (random weights; the model is not committed).
//
//   /usr/bin/python3 tools/golden/eval-fid/export_inception.py /tmp/ns-inception
//   pnpm --filter @ns/eval-fid build && node tools/golden/eval-fid/check_inception.mjs /tmp/ns-inception
//
// Prints the max |ours − torch| of the pool3 features per mode and exits non-zero when it exceeds
// 1e-5 of the largest feature (float32 network of ~100 layers: agreement is to float32 rounding).
import { join } from 'node:path';

const here = new URL('.', import.meta.url).pathname;
const fid = await import(join(here, '..', '..', '..', 'packages', 'eval-fid', 'dist', 'index.js'));
const dir = process.argv[2] ?? '/tmp/ns-inception';
const images = fid.readNpy(join(dir, 'images.npy'));
const [count, height, width, channels] = images.shape;
const batch = { count, height, width, channels, data: images.data };
let worst = 0;
for (const mode of ['legacy_pytorch', 'clean']) {
  const ex = await fid.OnnxFeatureExtractor.load(join(dir, 'inception_random.onnx'), {
    mode,
    batchSize: 2,
  });
  const t0 = performance.now();
  const ours = await ex.extract(batch);
  const ms = (performance.now() - t0) / count;
  const torch = fid.readNpy(join(dir, `pool3_${mode}.npy`)).data;
  let maxAbs = 0;
  let scale = 0;
  for (let i = 0; i < ours.length; i++) {
    maxAbs = Math.max(maxAbs, Math.abs(ours[i] - torch[i]));
    scale = Math.max(scale, Math.abs(torch[i]));
  }
  worst = Math.max(worst, maxAbs / scale);
  console.log(
    `${mode.padEnd(15)} max |ours − torch| ${maxAbs.toExponential(2)} (max |feature| ${scale.toFixed(3)}), ${ms.toFixed(0)} ms/image, model sha256 ${ex.provenance.modelSha256.slice(0, 16)}…`,
  );
  await ex.release();
}
console.log(`worst relative difference ${worst.toExponential(2)} (limit 1e-5)`);
process.exitCode = worst <= 1e-5 ? 0 : 1;
