#!/usr/bin/env node
// The published form of the standalone packages, checked as a user meets it: `pnpm pack` each of
// @ns/eval-fid, @ns/schedules and the workspace packages eval-fid depends on (@ns/formats,
// @ns/random), `npm install` the tarballs into an empty npm project, and run a small real
// computation from ESM (`import`) and from CommonJS (`require`): a Fréchet distance of two
// feature sets with a known answer, a .npz round trip, KID subsets, and γ(t) of two schedules.
// Run by the root `pnpm test` through turbo (after the packages are built).
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const PACKAGES = ['random', 'formats', 'eval-fid', 'schedules'];
const started = performance.now();
const work = mkdtempSync(join(tmpdir(), 'ns-pack-check-'));

function run(command, args, cwd) {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

// pnpm (which turns workspace:* into the real versions) is the one running us under `pnpm test`;
// run directly, fall back to the pinned pnpm from the npm registry.
const execPath = process.env.npm_execpath ?? '';
const pnpm = execPath.includes('pnpm')
  ? [process.execPath, [execPath]]
  : ['npx', ['-y', 'pnpm@10.34.9']];

try {
  const tarballs = join(work, 'tarballs');
  mkdirSync(tarballs);
  for (const name of PACKAGES) {
    run(
      pnpm[0],
      [...pnpm[1], 'pack', '--pack-destination', tarballs],
      join(root, 'packages', name),
    );
  }
  const files = readdirSync(tarballs).map((f) => join(tarballs, f));
  if (files.length !== PACKAGES.length) {
    throw new Error(
      `expected ${PACKAGES.length} tarballs, got ${readdirSync(tarballs).join(', ')}`,
    );
  }

  const project = join(work, 'consumer');
  mkdirSync(project);
  writeFileSync(
    join(project, 'package.json'),
    `${JSON.stringify({ name: 'consumer', version: '1.0.0', private: true }, null, 2)}\n`,
  );
  // No other dependencies: everything comes from the tarballs (the optional onnxruntime-node
  // peer of eval-fid is not installed, as a user without it would have it).
  run(
    'npm',
    ['install', '--no-audit', '--no-fund', '--ignore-scripts', '--loglevel=error', ...files],
    project,
  );

  writeFileSync(join(project, 'esm.mjs'), consumer('esm'));
  writeFileSync(join(project, 'cjs.cjs'), consumer('cjs'));
  const esm = JSON.parse(run(process.execPath, ['esm.mjs'], project));
  const cjs = JSON.parse(run(process.execPath, ['cjs.cjs'], project));
  const failures = [...check('esm', esm), ...check('cjs', cjs)];
  if (JSON.stringify(esm) !== JSON.stringify(cjs)) {
    failures.push(`ESM and CJS disagree: ${JSON.stringify(esm)} vs ${JSON.stringify(cjs)}`);
  }
  const seconds = ((performance.now() - started) / 1000).toFixed(1);
  if (failures.length > 0) {
    for (const f of failures) console.error(`pack-check: ${f}`);
    process.exit(1);
  }
  console.log(
    `pack-check: ${PACKAGES.map((p) => `@ns/${p}`).join(', ')} install from their tarballs and work from ESM and CJS (${seconds} s): FD ${esm.fid}, γ_cosine(0.5) ${esm.gammaCosine}, γ_sigmoid(0.5) ${esm.gammaSigmoid}`,
  );
} finally {
  rmSync(work, { recursive: true, force: true });
}

/** The consumer script: the same computations through `import` or `require`. */
function consumer(kind) {
  const load =
    kind === 'esm'
      ? `import * as fid from '@ns/eval-fid';
import * as schedules from '@ns/schedules';
import { Rng } from '@ns/random';
import { existsSync, mkdtempSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
const require = createRequire(import.meta.url);`
      : `const fid = require('@ns/eval-fid');
const schedules = require('@ns/schedules');
const { Rng } = require('@ns/random');
const { existsSync, mkdtempSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { dirname, join } = require('node:path');`;
  return `${load}
// Six 2-d features and the same shifted by (1, 2): equal covariances, so FD = |Δμ|² = 5.
const a = Float64Array.of(0, 0, 1, 0, 0, 1, 2, 1, 1, 3, 4, 2);
const b = a.map((v, i) => v + (i % 2 === 0 ? 1 : 2));
const sa = fid.featureStatistics(a, 2);
const sb = fid.featureStatistics(b, 2);
const distance = fid.frechetDistance(sa, sb).distance;
// The statistics through a .npz file (@ns/formats inside eval-fid).
const path = join(mkdtempSync(join(tmpdir(), 'consumer-')), 'a.npz');
fid.writeFidStats(path, sa);
const back = fid.readFidStats(path);
const kid = fid.kernelInceptionDistance(
  fid.featureMatrix(a, 2),
  fid.featureMatrix(b, 2),
  { subsets: 3, subsetSize: 4, seed: 1 },
);
const extractor = join(dirname(require.resolve('@ns/eval-fid/package.json')), 'extractors', 'mnist.onnx');
console.log(JSON.stringify({
  fid: Number(distance.toFixed(12)),
  roundTrip: Array.from(back.sigma).join(',') === Array.from(sa.sigma).join(','),
  kid: Number(kid.kid.toFixed(12)),
  extractorShipped: existsSync(extractor),
  firstUint32: new Rng(0).nextUint32(),
  gammaCosine: Number(schedules.cosine().gamma(0.5).toFixed(12)),
  gammaSigmoid: Number(schedules.withInputScale(schedules.sigmoid({ start: 0, end: 3, tau: 0.5 }), 0.5).gamma(0.5).toFixed(10)),
}));
`;
}

/** What the computations must give. */
function check(kind, r) {
  const out = [];
  const want = (name, ok, got) => {
    if (!ok) out.push(`${kind}: ${name}: got ${JSON.stringify(got)}`);
  };
  want('FD of the shifted set (expected 5)', Math.abs(r.fid - 5) < 1e-9, r.fid);
  want('stats .npz round trip', r.roundTrip === true, r.roundTrip);
  want('KID (a finite number)', Number.isFinite(r.kid), r.kid);
  want('mnist extractor in the tarball', r.extractorShipped === true, r.extractorShipped);
  // sfc32 of seed 0, first word (packages/random/fixtures/streams.json).
  want('Rng(0) first uint32 (expected 4205396811)', r.firstUint32 === 4205396811, r.firstUint32);
  // cos²(π/4) for Algorithm 1's cosine with (start, end, τ) = (0, 1, 1).
  want('cosine γ(0.5) (expected 0.5)', Math.abs(r.gammaCosine - 0.5) < 1e-12, r.gammaCosine);
  // The README's sigmoid@0,3,0.5 value.
  want('sigmoid γ(0.5) (expected 0.0903533195)', r.gammaSigmoid === 0.0903533195, r.gammaSigmoid);
  return out;
}
