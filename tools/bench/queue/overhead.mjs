#!/usr/bin/env node
/**
 * What the queue costs a sweep: the same 4-trial grid run by the local pool (`ns sweep --jobs 2
 * --threads 2`, 2 trial processes × 1 thread) and by 2 `ns worker --threads 1` processes on a
 * local redis-server (same trial processes, same threads), alternating rounds after a warm-up
 * round of each. Prints the wall-time ratio queue / local, and per job the queue's own latency:
 * handoff (a worker's job completed → the next waiting job taken; the queue's dispatch, for the
 * jobs that waited for a free worker), start (taken → the trial process's first log line: the
 * process start the local pool pays too) and publish (result.json written → job completed).
 *
 *   node tools/bench/queue/overhead.mjs [--rounds 3] [--steps 8]
 *
 * Needs redis-server on PATH (Debian: apt-get install redis-server) and a build (pnpm build).
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { openQueue, parseRedisUrl, readQueueFile } from '../../../packages/queue/dist/index.js';
import { loadLine } from '../common/peak.mjs';

const { values } = parseArgs({
  options: { rounds: { type: 'string', default: '3' }, steps: { type: 'string', default: '8' } },
});
const rounds = Number(values.rounds);
const ns = join(import.meta.dirname, '..', '..', '..', 'apps', 'cli', 'dist', 'main.js');
const root = mkdtempSync(join(tmpdir(), 'ns-bench-queue-'));
const grid = join(root, 'grid.json');
writeFileSync(
  grid,
  JSON.stringify({
    data: 'mnist',
    heldOut: 'mnist-test',
    limit: 256,
    preset: 'tiny',
    resolutions: [16, 32],
    patchSize: { 16: 4, 32: 8 },
    inputScales: [1, 0.5],
    seeds: [0],
    budget: { steps: Number(values.steps) },
    train: { batch: 8, checkpointEvery: 4, warmup: 0 },
    eval: { samples: 16, reference: 64, steps: 4, batch: 16 },
  }),
);

const server = createServer();
await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
const port = server.address().port;
await new Promise((resolve) => server.close(resolve));
const redis = spawn('redis-server', ['--port', String(port), '--dir', root, '--save', ''], {
  stdio: 'ignore',
});
while (
  spawnSync('redis-cli', ['-p', String(port), 'ping'], { encoding: 'utf8' }).stdout.trim() !==
  'PONG'
)
  await new Promise((resolve) => setTimeout(resolve, 50));
const url = `redis://127.0.0.1:${port}`;

let serial = 0;
function local() {
  const out = join(root, `local-${serial++}`);
  const started = performance.now();
  execFileSync(
    process.execPath,
    [ns, 'sweep', '--grid', grid, '--out', out, '--jobs', '2', '--threads', '2'],
    { stdio: 'ignore' },
  );
  return { seconds: (performance.now() - started) / 1000 };
}

async function queued() {
  const out = join(root, `queued-${serial++}`);
  const started = performance.now();
  execFileSync(
    process.execPath,
    [ns, 'sweep', '--grid', grid, '--out', out, '--queue', url, '--detach'],
    { stdio: 'ignore' },
  );
  const workers = [0, 1].map(
    () =>
      new Promise((resolve, reject) => {
        const child = spawn(
          process.execPath,
          [ns, 'worker', '--queue', url, '--out', out, '--threads', '1'],
          { stdio: 'ignore' },
        );
        child.on('exit', (code) =>
          code === 0 ? resolve() : reject(new Error(`worker exit ${code}`)),
        );
      }),
  );
  await Promise.all(workers);
  const seconds = (performance.now() - started) / 1000;
  const queue = openQueue(parseRedisUrl(url), readQueueFile(out).name);
  const latencies = [];
  const jobs = await queue.getJobs(['completed']);
  const finished = jobs.map((j) => j.finishedOn).sort((x, y) => x - y);
  const taken = [...jobs].sort((x, y) => x.processedOn - y.processedOn);
  taken.forEach((job, k) => {
    const dir = join(out, 'trials', job.data.trial);
    const firstLine = readFileSync(join(dir, 'log.txt'), 'utf8')
      .split('\n')
      .find((l) => /^\d{4}-/.test(l));
    const trialStart = Date.parse(firstLine.split(' ')[0]);
    latencies.push({
      // Jobs beyond the first two waited for a worker: the k−2-th completion freed it.
      ...(k >= 2 ? { handoff: job.processedOn - finished[k - 2] } : {}),
      start: trialStart - job.processedOn,
      publish: job.finishedOn - statSync(join(dir, 'result.json')).mtimeMs,
    });
  });
  await queue.close();
  return { seconds, latencies };
}

console.log(`queue overhead: 4-trial tiny grid, ${values.steps} steps; ${loadLine()}`);
local();
await queued(); // warm-up of each
const ratios = [];
const all = [];
for (let r = 0; r < rounds; r++) {
  const a = local();
  const b = await queued();
  ratios.push(b.seconds / a.seconds);
  all.push(...b.latencies);
  console.log(
    `round ${r + 1}: local --jobs 2 ${a.seconds.toFixed(2)} s, 2 workers ${b.seconds.toFixed(2)} s, ratio ${(b.seconds / a.seconds).toFixed(3)}`,
  );
}
const median = (xs) => [...xs].sort((x, y) => x - y)[Math.floor(xs.length / 2)];
console.log(`median ratio 2 workers / local --jobs 2: ${median(ratios).toFixed(3)}`);
for (const key of ['handoff', 'start', 'publish']) {
  const xs = all.map((l) => l[key]).filter((x) => x !== undefined);
  console.log(
    `per job ${key}: median ${median(xs).toFixed(0)} ms, max ${Math.max(...xs).toFixed(0)} ms (${xs.length} jobs)`,
  );
}
console.log(`after: ${loadLine()}`);
redis.kill('SIGTERM');
