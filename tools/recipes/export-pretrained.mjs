// Copies a finished run's EMA weights and its record into a shipped "pretrained" folder:
//   model.safetensors  the EMA weights, by parameter name (for `ns train --init-from`)
//   run-config.json    the run's config.json (model, data, optimizer, schedule)
//   loss.png           the run's loss curve
//   grid.png           64 samples, 100 DDPM steps, cosine inference schedule, seed 0
//   README.md          what it is and how it was made
// Usage: node tools/recipes/export-pretrained.mjs <runDir> <outDir>
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { encodeSafetensors } from '../../packages/graph/dist/index.js';
import { loadLatestCheckpoint } from '../../packages/trainer/dist/index.js';

const [runDir, outDir] = process.argv.slice(2);
if (!runDir || !outDir) throw new Error('usage: export-pretrained.mjs <runDir> <outDir>');
const checkpoint = await loadLatestCheckpoint(runDir);
if (!checkpoint) throw new Error(`${runDir} has no checkpoint`);
mkdirSync(outDir, { recursive: true });
const tensors = {};
for (const [name, data] of checkpoint.ema)
  tensors[name] = { dtype: 'float32', shape: checkpoint.shapes.get(name), data };
writeFileSync(
  join(outDir, 'model.safetensors'),
  encodeSafetensors(tensors, { step: String(checkpoint.step), weights: 'ema' }),
);
copyFileSync(join(runDir, 'config.json'), join(outDir, 'run-config.json'));
copyFileSync(join(runDir, 'loss.png'), join(outDir, 'loss.png'));
const samples = join(runDir, 'samples-export');
execFileSync(
  process.execPath,
  [
    'apps/cli/dist/main.js',
    'sample',
    '--run',
    runDir,
    '--n',
    '64',
    '--steps',
    '100',
    '--out',
    samples,
    '--threads',
    '2',
  ],
  { stdio: 'inherit' },
);
copyFileSync(join(samples, 'grid.png'), join(outDir, 'grid.png'));

const metrics = readFileSync(join(runDir, 'metrics.jsonl'), 'utf8')
  .trim()
  .split('\n')
  .map((l) => JSON.parse(l));
const minutes = metrics.reduce((a, m) => a + m.stepTime, 0) / 60;
const tail = metrics.slice(-100);
const finalLoss = tail.reduce((a, m) => a + m.loss, 0) / tail.length;
const config = JSON.parse(readFileSync(join(runDir, 'config.json'), 'utf8'));
writeFileSync(
  join(outDir, 'README.md'),
  `# Pretrained: RIN \`${config.model.preset}\` on ${config.data.name}

EMA weights (decay ${config.emaDecay}) after ${checkpoint.step} steps at batch ${config.batch}
(${minutes.toFixed(0)} minutes of training on the 2-core development machine; mean loss of the
last 100 steps ${finalLoss.toFixed(4)}), made by \`tools/recipes/pretrain-mnist.sh\`. Training
schedule \`${config.schedule}\`, input scale ${config.inputScale}, ${config.optimizer} at lr ${config.lr}.
\`ns demo\` starts from these weights; \`ns train --init-from ${relative(process.cwd(), join(outDir, 'model.safetensors'))}\`
fine-tunes them. Data: ${config.data.licence}.

![samples](grid.png)

![loss](loss.png)
`,
);
console.log(`exported step ${checkpoint.step} to ${outDir}`);
