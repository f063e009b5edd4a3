// Turns a finished run into a shipped "pretrained" folder: the smallest run folder that samples and
// fine-tunes (config.json, artifacts.json, the ONNX artifacts, checkpoints/LATEST and the latest
// checkpoint's EMA weights with its state.json), plus what a person looks at first:
//   grid.png    64 samples at the demo's settings (100 DDPM steps, cosine, guidance as the demo)
//   loss.png    the run's loss curve
//   README.md   how it was made, FD_mnist and the label agreement of 500 samples
// Usage: node tools/recipes/export-pretrained.mjs <runDir> <outDir> [guidance]
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { openRun, readMetricsFile, runPath } from '../../packages/trainer/dist/index.js';

const [runDir, outDir, guidanceText = '1'] = process.argv.slice(2);
if (!runDir || !outDir)
  throw new Error('usage: export-pretrained.mjs <runDir> <outDir> [guidance]');
const ns = (...args) =>
  execFileSync(process.execPath, ['apps/cli/dist/main.js', ...args], { encoding: 'utf8' });

const run = await openRun(runDir);
const checkpoint = await run.loadCheckpoint({ parts: 'ema' });
if (!checkpoint) throw new Error(`${runDir} has no checkpoint`);
rmSync(outDir, { recursive: true, force: true });
mkdirSync(join(outDir, 'checkpoints', checkpoint.ref.name), { recursive: true });
for (const file of [
  'config.json',
  'artifacts.json',
  'training_model.onnx',
  'training_model.loop.onnx',
  'eval_model.onnx',
])
  copyFileSync(join(runDir, file), join(outDir, file));
for (const file of ['ema.safetensors', 'state.json'])
  copyFileSync(
    join(checkpoint.ref.dir, file),
    join(outDir, 'checkpoints', checkpoint.ref.name, file),
  );
writeFileSync(join(outDir, 'checkpoints', 'LATEST'), `${checkpoint.ref.name}\n`);
copyFileSync(join(runDir, 'loss.png'), join(outDir, 'loss.png'));

const guidance = Number(guidanceText);
const scratch = join(runDir, 'export');
const sampled = (n, dir) =>
  ns(
    'sample',
    '--run',
    outDir,
    '--n',
    String(n),
    '--steps',
    '100',
    '--sampler',
    'ddpm',
    '--schedule',
    'cosine',
    '--guidance',
    String(guidance),
    '--seed',
    '0',
    '--out',
    dir,
    '-q',
  );
sampled(64, join(scratch, 'grid'));
copyFileSync(join(scratch, 'grid', 'grid.png'), join(outDir, 'grid.png'));
sampled(500, join(scratch, 'eval'));
const fid = JSON.parse(ns('fid', 'mnist-test', join(scratch, 'eval', 'samples.npz'), '--json'));
rmSync(scratch, { recursive: true, force: true });

const metrics = await readMetricsFile(runPath(runDir, 'metrics'));
const minutes = metrics.reduce((a, m) => a + m.stepTime, 0) / 60;
const tail = metrics.slice(-100);
const finalLoss = tail.reduce((a, m) => a + m.loss, 0) / tail.length;
const c = run.config;
writeFileSync(
  join(outDir, 'README.md'),
  `# Pretrained: RIN \`${c.model.preset}\` on ${c.data.name}

EMA weights (decay ${c.emaDecay}${c.emaWarmup ? ' with its warm-up' : ''}) of step ${checkpoint.step} of a
${c.steps}-step run at batch ${c.batch} (${minutes.toFixed(0)} minutes of step time on the 2-core
development machine; mean loss of the last 100 steps ${finalLoss.toFixed(4)}), made by
\`tools/recipes/pretrain-mnist.sh\`. Training schedule \`${c.schedule}\`, input scale ${c.inputScale},
${c.optimizer} at lr ${c.lr} (warm-up ${c.warmupSteps}, ${c.lrDecay}), label dropout ${c.labelDropout}.

Measured on 500 samples (100 DDPM steps, cosine inference schedule, guidance ${guidance}, seed 0, the
demo's settings) against the 10 000 MNIST test digits:

| FD_mnist | label agreement (p ≥ ${fid.label_threshold ?? 0.9}) | same for real test digits |
|---|---|---|
| ${fid.FD_mnist.toFixed(2)} | ${fid.label_agreement?.toFixed(3)} | ${fid.reference_label_agreement?.toFixed(3)} |

This folder is a run folder without the optimizer state: \`ns sample --run ${relative(process.cwd(), outDir)}\`
samples it, \`ns demo\` and \`ns train --init-from ${relative(process.cwd(), outDir)}\` fine-tune it.
Data: ${c.data.licence}.

![64 samples](grid.png)

![loss](loss.png)
`,
);
console.log(
  `exported ${checkpoint.ref.name} to ${outDir}: FD_mnist ${fid.FD_mnist}, label agreement ${fid.label_agreement}`,
);
