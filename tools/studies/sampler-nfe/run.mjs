#!/usr/bin/env node
/**
 * FD_mnist against network evaluations for DDPM, DDIM, DPM-Solver++(2M) and its SDE variant on the shipped `mnist`
 * weights (apps/cli/pretrained/mnist), each point from SAMPLES images per seed, several seeds.
 * The images are made as `ns sample` makes them (the run folder's eval model on its EMA weights, inference
 * schedule `cosine`, random seeded labels, no guidance, uint8 output) and measured as `ns fid
 * --features mnist` measures them (the built-in extractor of @ns/eval-fid), against the moments of
 * MNIST test images [0, 5000). The floor of the metric at this sample size — FD_mnist of SAMPLES
 * real held-out test images from [5000, 10000) — is measured the same way, once per seed.
 *
 *   nice -n 10 node tools/studies/sampler-nfe/run.mjs          (after `pnpm build`)
 *   SAMPLES=512 SEEDS=0,1 NFE=10,20,50,100,250 SAMPLERS=ddpm,ddim,dpmpp_2m,dpmpp_2m_sde \
 *   EXTRA=ddpm@100,dpmpp_2m@20,dpmpp_2m_sde@20 EXTRA_SEEDS=2,3 THREADS=2 SPINNING=0 node tools/studies/sampler-nfe/run.mjs
 *   node tools/studies/sampler-nfe/run.mjs --plot-only           (table and plot from results.json)
 *
 * Results go to results.json beside this file point by point (a rerun skips the points it has),
 * then the table (results.md) and the plot (packages/sampler/docs/fd-vs-nfe.svg and .png).
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, loadavg } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadDataset, sliceDataset } from '../../../packages/data/dist/index.js';
import {
  featureStatistics,
  frechetDistance,
  OnnxFeatureExtractor,
} from '../../../packages/eval-fid/dist/index.js';
import { onnxDenoiser, sample, toUint8 } from '../../../packages/sampler/dist/index.js';
import { openRun } from '../../../packages/trainer/dist/index.js';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..', '..', '..');
const list = (v, d) => (v ?? d).split(',').filter((s) => s !== '');
const SAMPLES = Number(process.env.SAMPLES ?? 512);
const BATCH = Number(process.env.BATCH ?? 64);
const SEEDS = list(process.env.SEEDS, '0,1').map(Number);
const NFE = list(process.env.NFE, '10,20,50,100,250').map(Number);
const SAMPLERS = list(process.env.SAMPLERS, 'ddpm,ddim,dpmpp_2m,dpmpp_2m_sde');
const EXTRA = list(process.env.EXTRA, 'ddpm@100,dpmpp_2m@20,dpmpp_2m_sde@20').map((p) => {
  const [sampler, nfe] = p.split('@');
  return { sampler, nfe: Number(nfe) };
});
const EXTRA_SEEDS = list(process.env.EXTRA_SEEDS, '2,3').map(Number);
const THREADS = Number(process.env.THREADS ?? 2);
// ORT's idle threads spin by default; on a shared machine that burns CPU others need.
const SPINNING = process.env.SPINNING === '1';
const RESULTS = process.env.RESULTS ?? join(here, 'results.json');
const DOCS = process.env.PLOT_DIR ?? join(root, 'packages', 'sampler', 'docs');
const REFERENCE = { start: 0, end: 5000 };
const HELD_OUT = 5000;

const results = existsSync(RESULTS)
  ? JSON.parse(readFileSync(RESULTS, 'utf8'))
  : { about: 'tools/studies/sampler-nfe/run.mjs', points: [], floor: [] };
function save() {
  mkdirSync(dirname(RESULTS), { recursive: true });
  writeFileSync(RESULTS, `${JSON.stringify(results, null, 1)}\n`);
}
const key = (p) => `${p.sampler}@${p.nfe}#${p.seed}`;

if (!process.argv.includes('--plot-only')) await measure();
writeTable();
await writePlot();

async function measure() {
  const extractorDir = join(root, 'packages', 'eval-fid', 'extractors');
  const meta = JSON.parse(readFileSync(join(extractorDir, 'mnist.json'), 'utf8'));
  const extractor = await OnnxFeatureExtractor.load(join(extractorDir, 'mnist.onnx'), {
    mode: meta.mode,
    contract: meta.contract,
    batchSize: 256,
    threads: THREADS,
  });
  const moments = async (images) =>
    featureStatistics(await extractor.extract(images), meta.contract.dim);

  const test = loadDataset('mnist-test');
  const asBatch = (d) => ({ ...d, data: d.images }); // a Dataset's pixels are `images`
  const reference = await moments(asBatch(sliceDataset(test, REFERENCE.start, REFERENCE.end)));
  for (const seed of SEEDS) {
    if (results.floor.some((f) => f.seed === seed && f.samples === SAMPLES)) continue;
    const start = HELD_OUT + ((seed * SAMPLES) % (test.count - HELD_OUT - SAMPLES + 1));
    const real = await moments(asBatch(sliceDataset(test, start, start + SAMPLES)));
    results.floor.push({
      seed,
      samples: SAMPLES,
      images: `mnist-test[${start}:${start + SAMPLES}]`,
      fd: frechetDistance(reference, real).distance,
    });
    save();
  }

  // The shipped weights are a run folder: what `ns sample --run` runs.
  const pretrained = await openRun(join(root, 'apps', 'cli', 'pretrained', 'mnist'));
  const { rin } = pretrained.config.model;
  const config = pretrained.config;
  const { session } = await pretrained.openEvalSession({ threads: THREADS, spinning: SPINNING });
  const size = rin.imageSize * rin.imageSize * rin.channels;

  const todo = [];
  for (const seed of SEEDS)
    for (const nfe of NFE) for (const sampler of SAMPLERS) todo.push({ sampler, nfe, seed });
  for (const seed of EXTRA_SEEDS) for (const e of EXTRA) todo.push({ ...e, seed });
  const done = new Set(results.points.filter((p) => p.samples === SAMPLES).map(key));
  for (const point of todo) {
    if (done.has(key(point))) continue;
    const began = performance.now();
    const cpuBefore = process.cpuUsage();
    const pixels = new Uint8Array(SAMPLES * size);
    for (let first = 0; first < SAMPLES; first += BATCH) {
      const batch = Math.min(BATCH, SAMPLES - first);
      const shape = { batch, height: rin.imageSize, width: rin.imageSize, channels: rin.channels };
      const { images } = await sample({
        denoiser: onnxDenoiser(session, { shape, latentShape: [rin.latents, rin.latentDim] }),
        shape,
        steps: point.nfe,
        sampler: point.sampler,
        schedule: 'cosine',
        predict: rin.predict,
        inputScale: config.inputScale,
        normalize: false, // as `ns sample`: RIN normalises its input itself
        numClasses: rin.numClasses,
        latentSize: rin.latents * rin.latentDim,
        // Disjoint seeds per (study seed, batch), as `ns sample --seed` offsets by the batch start.
        seed: point.seed * 1_000_000 + first,
      });
      pixels.set(toUint8(images), first * size);
    }
    const generated = await moments({
      data: pixels,
      count: SAMPLES,
      height: rin.imageSize,
      width: rin.imageSize,
      channels: rin.channels,
    });
    const fd = frechetDistance(reference, generated).distance;
    const seconds = (performance.now() - began) / 1000;
    const cpu = process.cpuUsage(cpuBefore);
    const cpuSeconds = (cpu.user + cpu.system) / 1e6; // all threads, ORT's included
    results.points.push({
      ...point,
      samples: SAMPLES,
      fd,
      seconds,
      cpuSeconds,
      load: loadavg()[0],
    });
    save();
    process.stderr.write(
      `${key(point)}: FD_mnist ${fd.toFixed(3)} (${seconds.toFixed(0)} s wall, ${cpuSeconds.toFixed(0)} s CPU, load ${loadavg()[0].toFixed(1)})\n`,
    );
  }
  await convergence(session, rin, config);
  results.machine = `${cpus().length} × ${cpus()[0]?.model ?? 'cpu'}, ORT threads ${THREADS}, spinning ${SPINNING ? 'on' : 'off'}`;
  results.reference = `mnist-test[${REFERENCE.start}:${REFERENCE.end}]`;
  save();
  await session.release();
  await extractor.release();
}

/**
 * How far each deterministic sampler is from the solution of the probability-flow ODE it
 * approximates: the RMS pixel difference (images in [0, 1], one batch, seed 0) between its images at
 * N evaluations and DPM-Solver++(2M)'s at LIMIT_NFE, against which DDIM at LIMIT_NFE is shown too.
 */
async function convergence(session, rin, config) {
  const LIMIT = Number(process.env.LIMIT_NFE ?? 500);
  if (results.convergence?.limitNfe === LIMIT && results.convergence.rows.length > 0) return;
  const shape = {
    batch: BATCH,
    height: rin.imageSize,
    width: rin.imageSize,
    channels: rin.channels,
  };
  const images = async (sampler, steps) =>
    (
      await sample({
        denoiser: onnxDenoiser(session, { shape, latentShape: [rin.latents, rin.latentDim] }),
        shape,
        steps,
        sampler,
        schedule: 'cosine',
        predict: rin.predict,
        inputScale: config.inputScale,
        normalize: false,
        numClasses: rin.numClasses,
        latentSize: rin.latents * rin.latentDim,
        seed: 0,
      })
    ).images;
  const limit = await images('dpmpp_2m', LIMIT);
  const rms = (a) => Math.sqrt(a.reduce((sum, v, i) => sum + (v - limit[i]) ** 2, 0) / a.length);
  const rows = [{ sampler: 'ddim', nfe: LIMIT, rms: rms(await images('ddim', LIMIT)) }];
  for (const sampler of ['ddim', 'dpmpp_2m'])
    for (const nfe of NFE) rows.push({ sampler, nfe, rms: rms(await images(sampler, nfe)) });
  results.convergence = { limitNfe: LIMIT, images: BATCH, rows };
  save();
}

/** Per (sampler, nfe): mean, min and max over seeds of the points at the study's sample size. */
function summary() {
  const groups = new Map();
  for (const p of results.points) {
    if (p.samples !== SAMPLES) continue;
    const k = `${p.sampler}@${p.nfe}`;
    if (!groups.has(k)) groups.set(k, { sampler: p.sampler, nfe: p.nfe, fds: [] });
    groups.get(k).fds.push(p.fd);
  }
  // rows and legend in a fixed order, whatever order the points were measured in
  const order = ['ddpm', 'ddim', 'dpmpp_2m', 'dpmpp_2m_sde'];
  const rank = (sampler) => (order.includes(sampler) ? order.indexOf(sampler) : order.length);
  const sorted = [...groups.values()].sort(
    (a, b) =>
      rank(a.sampler) - rank(b.sampler) || a.sampler.localeCompare(b.sampler) || a.nfe - b.nfe,
  );
  return sorted.map((g) => ({
    ...g,
    mean: g.fds.reduce((a, b) => a + b, 0) / g.fds.length,
    min: Math.min(...g.fds),
    max: Math.max(...g.fds),
  }));
}

function writeTable() {
  const rows = summary();
  const samplers = [...new Set(rows.map((r) => r.sampler))];
  const nfes = [...new Set(rows.map((r) => r.nfe))].sort((a, b) => a - b);
  const cell = (s, n) => {
    const r = rows.find((x) => x.sampler === s && x.nfe === n);
    if (!r) return '–';
    return `${r.mean.toFixed(2)} [${r.min.toFixed(2)}, ${r.max.toFixed(2)}] (${r.fds.length})`;
  };
  const floor = results.floor.filter((f) => f.samples === SAMPLES).map((f) => f.fd);
  const lines = [
    `FD_mnist (lower is better) of ${SAMPLES} samples per seed: mean [min, max] (number of seeds)`,
    '',
    `| sampler | ${nfes.map((n) => `${n} NFE`).join(' | ')} |`,
    `| --- | ${nfes.map(() => '---').join(' | ')} |`,
    ...samplers.map((s) => `| ${s} | ${nfes.map((n) => cell(s, n)).join(' | ')} |`),
    '',
    floor.length > 0
      ? `Floor: FD_mnist of ${SAMPLES} real held-out test images, ${floor.map((f) => f.toFixed(2)).join(', ')}.`
      : '',
  ];
  const c = results.convergence;
  if (c) {
    const nfesC = [...new Set(c.rows.filter((r) => r.nfe !== c.limitNfe).map((r) => r.nfe))];
    const rms = (s, n) => c.rows.find((r) => r.sampler === s && r.nfe === n)?.rms.toFixed(4) ?? '–';
    lines.push(
      '',
      `RMS pixel distance (images in [0, 1], ${c.images} images, seed 0) to DPM-Solver++(2M) at ${c.limitNfe} NFE, the ODE solution both deterministic samplers approach (DDIM at ${c.limitNfe}: ${rms('ddim', c.limitNfe)})`,
      '',
      `| sampler | ${nfesC.map((n) => `${n} NFE`).join(' | ')} |`,
      `| --- | ${nfesC.map(() => '---').join(' | ')} |`,
      ...['ddim', 'dpmpp_2m'].map((s) => `| ${s} | ${nfesC.map((n) => rms(s, n)).join(' | ')} |`),
    );
  }
  writeFileSync(RESULTS.replace(/\.json$/, '.md'), `${lines.join('\n')}\n`);
  process.stdout.write(`${lines.join('\n')}\n`);
}

/** FD against NFE on a log axis, one line per sampler at the mean, bars from min to max. */
async function writePlot() {
  const rows = summary();
  if (rows.length === 0) return;
  const W = 680;
  const H = 400;
  const m = { left: 64, right: 190, top: 36, bottom: 52 };
  const nfes = rows.map((r) => r.nfe);
  const lx0 = Math.log10(Math.min(...nfes) / 1.25);
  const lx1 = Math.log10(Math.max(...nfes) * 1.25);
  const floor = results.floor.filter((f) => f.samples === SAMPLES).map((f) => f.fd);
  const yMax = niceCeil(Math.max(...rows.map((r) => r.max)) * 1.05);
  const px = (n) => m.left + ((Math.log10(n) - lx0) / (lx1 - lx0)) * (W - m.left - m.right);
  const py = (v) => H - m.bottom - (v / yMax) * (H - m.top - m.bottom);
  const colours = {
    ddpm: '#0072B2',
    ddim: '#D55E00',
    dpmpp_2m: '#009E73',
    dpmpp_2m_sde: '#CC79A7',
    euler: '#56B4E9',
    heun: '#E69F00',
  };
  const out = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="'DejaVu Sans', Verdana, sans-serif" font-size="12" fill="#222">`,
    `<rect width="100%" height="100%" fill="#fff"/>`,
    `<text x="${(m.left + W - m.right) / 2}" y="22" text-anchor="middle" font-size="14">FD_mnist vs network evaluations (mnist RIN, ${SAMPLES} samples/seed)</text>`,
  ];
  const ticks = [];
  for (let v = 0; v <= yMax + 1e-9; v += yMax / 5) ticks.push(v);
  for (const v of ticks) {
    out.push(
      `<line x1="${m.left}" x2="${W - m.right}" y1="${py(v).toFixed(1)}" y2="${py(v).toFixed(1)}" stroke="#e6e6e6"/>`,
      `<text x="${m.left - 8}" y="${(py(v) + 4).toFixed(1)}" text-anchor="end">${fmtTick(v)}</text>`,
    );
  }
  for (const n of [...new Set(nfes)].sort((a, b) => a - b)) {
    out.push(
      `<line x1="${px(n).toFixed(1)}" x2="${px(n).toFixed(1)}" y1="${m.top}" y2="${H - m.bottom}" stroke="#e6e6e6"/>`,
      `<text x="${px(n).toFixed(1)}" y="${H - m.bottom + 18}" text-anchor="middle">${n}</text>`,
    );
  }
  out.push(
    `<rect x="${m.left}" y="${m.top}" width="${W - m.left - m.right}" height="${H - m.top - m.bottom}" fill="none" stroke="#444"/>`,
    `<text x="${(m.left + W - m.right) / 2}" y="${H - 12}" text-anchor="middle">network evaluations (log scale)</text>`,
    `<text transform="translate(18 ${(m.top + H - m.bottom) / 2}) rotate(-90)" text-anchor="middle">FD_mnist</text>`,
  );
  if (floor.length > 0) {
    const f = floor.reduce((a, b) => a + b, 0) / floor.length;
    out.push(
      `<line x1="${m.left}" x2="${W - m.right}" y1="${py(f).toFixed(1)}" y2="${py(f).toFixed(1)}" stroke="#666" stroke-dasharray="5 4"/>`,
    );
  }
  const samplers = [...new Set(rows.map((r) => r.sampler))];
  samplers.forEach((s, i) => {
    const colour = colours[s] ?? '#000';
    const pts = rows.filter((r) => r.sampler === s).sort((a, b) => a.nfe - b.nfe);
    out.push(
      `<polyline fill="none" stroke="${colour}" stroke-width="2" points="${pts.map((r) => `${px(r.nfe).toFixed(1)},${py(r.mean).toFixed(1)}`).join(' ')}"/>`,
    );
    for (const r of pts) {
      const x = px(r.nfe).toFixed(1);
      out.push(
        `<line x1="${x}" x2="${x}" y1="${py(r.min).toFixed(1)}" y2="${py(r.max).toFixed(1)}" stroke="${colour}" stroke-width="1.5"/>`,
        `<circle cx="${x}" cy="${py(r.mean).toFixed(1)}" r="3.5" fill="${colour}"/>`,
      );
    }
    const ly = m.top + 16 + 22 * i;
    out.push(
      `<line x1="${W - m.right + 14}" x2="${W - m.right + 40}" y1="${ly}" y2="${ly}" stroke="${colour}" stroke-width="2"/>`,
      `<text x="${W - m.right + 46}" y="${ly + 4}">${s}</text>`,
    );
  });
  if (floor.length > 0) {
    const ly = m.top + 16 + 22 * samplers.length;
    out.push(
      `<line x1="${W - m.right + 14}" x2="${W - m.right + 40}" y1="${ly}" y2="${ly}" stroke="#666" stroke-dasharray="5 4"/>`,
      `<text x="${W - m.right + 46}" y="${ly + 4}">real images (floor)</text>`,
    );
  }
  out.push(
    `<text x="${W - m.right + 14}" y="${H - m.bottom}" font-size="10" fill="#555">bars: seed min–max</text>`,
    '</svg>',
  );
  const svg = `${out.join('\n')}\n`;
  mkdirSync(DOCS, { recursive: true });
  writeFileSync(join(DOCS, 'fd-vs-nfe.svg'), svg);
  // resvg (a Rust SVG renderer, no browser) is @ns/plot's dependency.
  const require = createRequire(join(root, 'packages', 'plot', 'package.json'));
  const { Resvg } = require('@resvg/resvg-js');
  const png = new Resvg(svg, {
    fitTo: { mode: 'zoom', value: 2 },
    font: { loadSystemFonts: true, defaultFontFamily: 'DejaVu Sans' },
  })
    .render()
    .asPng();
  writeFileSync(join(DOCS, 'fd-vs-nfe.png'), png);
}

function niceCeil(v) {
  const p = 10 ** Math.floor(Math.log10(v));
  for (const k of [1, 2, 2.5, 5, 10]) if (k * p >= v) return k * p;
  return 10 * p;
}

function fmtTick(v) {
  return Number.isInteger(v) ? String(v) : v.toFixed(1);
}
