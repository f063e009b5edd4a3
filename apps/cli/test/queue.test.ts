/**
 * `ns sweep --queue` and `ns worker` end to end: the built binary, real worker processes and a
 * real redis-server (Debian's; each suite starts its own on a free loopback port in a temporary
 * folder and stops it). What must hold: results equal the local pool's bit for bit at equal
 * thread counts, a worker killed with SIGKILL loses nothing, Redis may restart mid-sweep, a
 * sharded evaluation merges to the unsharded distance, and bad URLs, passwords and folders fail
 * with one line.
 */
import { type ChildProcess, execFile, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);
const bin = join(__dirname, '..', 'dist', 'main.js');
const ns = (...args: string[]) =>
  run(process.execPath, [bin, ...args], { encoding: 'utf8', maxBuffer: 1 << 24 });
const temp = () => mkdtempSync(join(tmpdir(), 'ns-queue-'));
const readJson = (path: string) => JSON.parse(readFileSync(path, 'utf8'));
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
const losses = (trialDir: string) =>
  readFileSync(join(trialDir, 'metrics.jsonl'), 'utf8')
    .trim()
    .split('\n')
    .map((line) => JSON.parse(line) as { step: number; loss: number })
    .map((m) => [m.step, m.loss]);

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

/** Certificates for a TLS Redis on 127.0.0.1: a private CA and a server certificate it signed. */
function makeCertificates(): { dir: string; ca: string } {
  const dir = temp();
  const openssl = (...args: string[]) => {
    const done = spawnSync('openssl', args, { cwd: dir, encoding: 'utf8' });
    if (done.status !== 0) throw new Error(`openssl ${args[0]}: ${done.stderr}`);
  };
  openssl(
    'req',
    '-x509',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'ca.key',
    '-out',
    'ca.crt',
    '-days',
    '2',
    '-subj',
    '/CN=ns test CA',
  );
  openssl(
    'req',
    '-newkey',
    'rsa:2048',
    '-nodes',
    '-keyout',
    'redis.key',
    '-out',
    'redis.csr',
    '-subj',
    '/CN=localhost',
  );
  writeFileSync(join(dir, 'san.ext'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  openssl(
    'x509',
    '-req',
    '-in',
    'redis.csr',
    '-CA',
    'ca.crt',
    '-CAkey',
    'ca.key',
    '-CAcreateserial',
    '-out',
    'redis.crt',
    '-days',
    '2',
    '-extfile',
    'san.ext',
  );
  return { dir, ca: join(dir, 'ca.crt') };
}

interface RedisSettings {
  readonly password?: string;
  /** Serve TLS only (rediss://), with the certificates in this folder. */
  readonly tls?: string;
}

/** A redis-server of this test: its own port and folder, append-only persistence on. */
class TestRedis {
  private process: ChildProcess | undefined;
  constructor(
    readonly port: number,
    private readonly dir: string,
    private readonly settings: RedisSettings,
  ) {}

  static async start(settings: RedisSettings = {}): Promise<TestRedis> {
    const redis = new TestRedis(await freePort(), temp(), settings);
    await redis.up();
    return redis;
  }

  get url(): string {
    const { password, tls } = this.settings;
    return `${tls ? 'rediss' : 'redis'}://${password === undefined ? '' : `:${password}@`}127.0.0.1:${this.port}`;
  }

  async up(): Promise<void> {
    const { password, tls } = this.settings;
    const args = ['--bind', '127.0.0.1', '--dir', this.dir];
    args.push('--appendonly', 'yes', '--appendfsync', 'always', '--save', '');
    if (password !== undefined) args.push('--requirepass', password);
    if (tls === undefined) args.push('--port', String(this.port));
    else {
      args.push('--port', '0', '--tls-port', String(this.port), '--tls-auth-clients', 'no');
      args.push(
        '--tls-cert-file',
        join(tls, 'redis.crt'),
        '--tls-key-file',
        join(tls, 'redis.key'),
      );
      args.push('--tls-ca-cert-file', join(tls, 'ca.crt'));
    }
    this.process = spawn('redis-server', args, { stdio: 'ignore' });
    const cli = ['-p', String(this.port)];
    if (password !== undefined) cli.push('-a', password, '--no-auth-warning');
    if (tls !== undefined) cli.push('--tls', '--cacert', join(tls, 'ca.crt'));
    for (let i = 0; i < 200; i++) {
      const ping = spawnSync('redis-cli', [...cli, 'ping'], { encoding: 'utf8' });
      if (ping.stdout.trim() === 'PONG') return;
      await sleep(50);
    }
    throw new Error(`redis-server on port ${this.port} did not answer`);
  }

  /** SIGTERM: Redis flushes its append-only file and exits (a clean restart). */
  async down(): Promise<void> {
    const child = this.process;
    if (child === undefined || child.exitCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill('SIGTERM');
    await exited;
  }
}

/** The 4-trial grid of the local sweep test, with 4 evaluation batches so it can be sharded. */
const tinyGrid = {
  data: 'mnist',
  heldOut: 'mnist-test',
  limit: 256,
  preset: 'tiny',
  resolutions: [16, 32],
  patchSize: { '16': 4, '32': 8 },
  inputScales: [1, 0.5],
  seeds: [0],
  budget: { steps: 8 },
  train: { batch: 8, checkpointEvery: 4, warmup: 0 },
  eval: { samples: 16, reference: 64, steps: 4, batch: 4 },
};

/** The local pool at 2 jobs × 1 thread: what 2 one-thread workers are compared with. */
const runLocally = (grid: string, out: string) =>
  ns('sweep', '--grid', grid, '--out', out, '--jobs', '2', '--threads', '2');

/** `ns sweep --queue URL --detach` of `out` (with a grid file for a new folder): submits, returns. */
const submit = (url: string, out: string, grid?: string) =>
  ns(
    'sweep',
    ...(grid === undefined ? [] : ['--grid', grid]),
    '--out',
    out,
    '--queue',
    url,
    '--detach',
  );

/** A one-trial sweep (16 px, b = 1) submitted to `url`: its folder and its trial's run folder. */
async function submitOneTrial(url: string): Promise<{ out: string; trial: string }> {
  const root = temp();
  const out = join(root, 'sweep');
  const grid = { ...tinyGrid, resolutions: [16], patchSize: { '16': 4 }, inputScales: [1] };
  await submit(url, out, writeGrid(root, grid));
  return { out, trial: join(out, 'trials', 'r16-simple_linear-b1-s0') };
}

function writeGrid(dir: string, grid: object): string {
  const path = join(dir, 'grid.json');
  writeFileSync(path, JSON.stringify(grid));
  return path;
}

interface Worker {
  readonly child: ChildProcess;
  /** Everything it wrote to stderr so far. */
  log(): string;
  /** Exit status, once it exits. */
  readonly exit: Promise<number | null>;
}

/** `ns worker` in its own process group (so a test can SIGKILL it with its trials). */
function startWorker(url: string, out: string, ...extra: string[]): Worker {
  const child = spawn(
    process.execPath,
    [
      bin,
      'worker',
      '--queue',
      url,
      '--out',
      out,
      '--threads',
      '1',
      '--stall-timeout',
      '2',
      ...extra,
    ],
    { detached: true, stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let text = '';
  child.stderr!.on('data', (chunk: Buffer) => {
    text += chunk.toString();
  });
  const exit = new Promise<number | null>((resolve) => child.on('exit', resolve));
  return { child, log: () => text, exit };
}

describe('ns sweep --queue with ns worker', () => {
  let redis: TestRedis;
  const root = temp();
  const local = join(root, 'local');
  const trials = [
    'r16-simple_linear-b0.5-s0',
    'r16-simple_linear-b1-s0',
    'r32-simple_linear-b0.5-s0',
    'r32-simple_linear-b1-s0',
  ];

  beforeAll(async () => {
    redis = await TestRedis.start();
    // The local pool: 2 jobs × 1 thread, what 2 one-thread workers are compared with.
    await runLocally(writeGrid(root, tinyGrid), local);
  }, 120_000);
  afterAll(() => redis.down());

  it("runs a grid on two workers with the local pool's results, bit for bit", async () => {
    const out = join(root, 'queued');
    const submitted = await submit(redis.url, out, join(root, 'grid.json'));
    expect(submitted.stderr).toMatch(
      new RegExp(
        `^4 trials: 0 done, 4 submitted, 0 already queued \\(redis://127\\.0\\.0\\.1:${redis.port}/0, queue ns-sweep-[0-9a-f]{12}\\)$`,
        'm',
      ),
    );
    // Submitting again changes nothing: the job ids are the trials' folder names.
    const again = await submit(redis.url, out);
    expect(again.stderr).toMatch(/^4 trials: 0 done, 0 submitted, 4 already queued/m);

    // Following the sweep (no --detach) while the workers run it: a line per finished trial.
    const following = ns('sweep', '--out', out, '--queue', redis.url);
    const workers = [startWorker(redis.url, out), startWorker(redis.url, out)];
    const codes = await Promise.all(workers.map((w) => w.exit));
    const followed = await following;
    expect(
      followed.stderr.match(
        /^\[[1-4]\/4\] r(16|32)-simple_linear-b(0\.5|1)-s0: FD_mnist \d+\.\d{3} /gm,
      ),
    ).toHaveLength(4);
    expect(followed.stdout).toBe(`report: ${join(out, 'report.md')} (4 trials)\n`);
    expect(codes).toEqual([0, 0]);
    const started = workers.flatMap((w) => w.log().match(/ start \S+/g) ?? []);
    // Every trial ran once, and both workers took part.
    expect(started.map((s) => s.slice(7)).sort()).toEqual([...trials].sort());
    expect(workers.every((w) => / start /.test(w.log()))).toBe(true);

    for (const id of trials) {
      const queued = readJson(join(out, 'trials', id, 'result.json'));
      const alone = readJson(join(local, 'trials', id, 'result.json'));
      for (const key of ['value', 'finalLoss', 'step', 'metric', 'samples'])
        expect([id, key, queued[key]]).toEqual([id, key, alone[key]]);
      expect(losses(join(out, 'trials', id))).toEqual(losses(join(local, 'trials', id)));
    }

    const status = await ns('sweep', 'status', '--out', out, '--queue', redis.url);
    expect(status.stdout).toContain('4 trials: 4 done, 0 running, 0 waiting, 0 failed');
    expect(status.stdout).toMatch(
      /^r16-simple_linear-b1-s0 +done +FD_mnist \d+\.\d{3} \(step 8\)$/m,
    );
  }, 180_000);

  it('merges a sharded evaluation (K = 3) to the unsharded distance', async () => {
    const dir = join(root, 'sharded');
    const out = join(dir, 'sweep');
    const grid = { ...tinyGrid, resolutions: [16], patchSize: { '16': 4 }, inputScales: [1] };
    const file = writeGrid(temp(), { ...grid, eval: { ...grid.eval, shards: 3 } });
    await submit(redis.url, out, file);
    const worker = startWorker(redis.url, out);
    expect(await worker.exit).toBe(0);
    const id = 'r16-simple_linear-b1-s0';
    for (let i = 0; i < 3; i++) expect(worker.log()).toContain(` start ${id}.shard-${i}-of-3 `);
    expect(worker.log()).toContain(` start ${id}.merge `);
    const merged = readJson(join(out, 'trials', id, 'result.json'));
    const unsharded = readJson(join(local, 'trials', id, 'result.json'));
    expect(merged.samples).toBe(16);
    expect(Math.abs(merged.value - unsharded.value) / unsharded.value).toBeLessThan(1e-9);
    expect(existsSync(join(out, 'trials', id, 'eval', 'grid.png'))).toBe(true);
  }, 120_000);
});

describe('ns worker under faults', () => {
  let redis: TestRedis;
  const root = temp();
  // Long enough to be killed part-way: 120 steps, a checkpoint every 10.
  const longGrid = {
    ...tinyGrid,
    resolutions: [16],
    patchSize: { '16': 4 },
    budget: { steps: 120 },
    train: { ...tinyGrid.train, checkpointEvery: 10 },
  };
  const local = join(root, 'local');
  const ids = ['r16-simple_linear-b0.5-s0', 'r16-simple_linear-b1-s0'];

  beforeAll(async () => {
    redis = await TestRedis.start();
    await runLocally(writeGrid(root, longGrid), local);
  }, 120_000);
  afterAll(() => redis.down());

  /** Resolves once some trial of `out` has a checkpoint past step 0; returns its id. */
  async function firstCheckpoint(out: string): Promise<string> {
    const deadline = Date.now() + 60_000;
    while (Date.now() < deadline) {
      for (const id of ids) {
        const latest = join(out, 'trials', id, 'checkpoints', 'LATEST');
        if (existsSync(latest) && readFileSync(latest, 'utf8').trim() !== 'step-00000000')
          return id;
      }
      await sleep(20);
    }
    throw new Error('no trial checkpointed within a minute');
  }

  it('hands the trial of a worker killed with SIGKILL to the other, which resumes it exactly', async () => {
    const out = join(root, 'killed');
    await submit(redis.url, out, join(root, 'grid.json'));
    const first = startWorker(redis.url, out);
    const id = await firstCheckpoint(out);
    const second = startWorker(redis.url, out);
    // The worker and its trial process die together, as when a machine is lost.
    process.kill(-first.child.pid!, 'SIGKILL');
    expect(await second.exit).toBe(0);
    expect(second.log()).toContain(` start ${id} (its worker was lost 1×)`);
    for (const trial of ids) {
      expect(losses(join(out, 'trials', trial))).toEqual(losses(join(local, 'trials', trial)));
      expect(readJson(join(out, 'trials', trial, 'result.json')).value).toBe(
        readJson(join(local, 'trials', trial, 'result.json')).value,
      );
    }
    // The dead trial process's lock was taken over, with a notice in the trial's log.
    const log = readFileSync(join(out, 'trials', id, 'log.txt'), 'utf8');
    expect(log).toContain(`${join(out, 'trials', id)}: took over the lock of`);
    expect(log).toMatch(/resuming from the checkpoint at step [1-9]\d*/);
  }, 180_000);

  it('keeps going through a Redis restart, losing and repeating nothing', async () => {
    const out = join(root, 'restarted');
    await submit(redis.url, out, join(root, 'grid.json'));
    const workers = [startWorker(redis.url, out), startWorker(redis.url, out)];
    await firstCheckpoint(out);
    await redis.down();
    await sleep(1000);
    await redis.up();
    expect(await Promise.all(workers.map((w) => w.exit))).toEqual([0, 0]);
    const log = workers.map((w) => w.log()).join('');
    expect(log).toContain('reconnected to Redis');
    // Each trial started once (no second attempt) and trained each step once.
    for (const trial of ids) {
      expect(log.match(new RegExp(` start ${trial.replace('.', '\\.')} `, 'g'))).toHaveLength(1);
      expect(losses(join(out, 'trials', trial))).toEqual(losses(join(local, 'trials', trial)));
    }
  }, 180_000);

  it('returns the trials of a worker stopped with SIGTERM to the queue (exit 3)', async () => {
    const out = join(root, 'terminated');
    await submit(redis.url, out, join(root, 'grid.json'));
    const first = startWorker(redis.url, out, '--jobs', '2', '--threads', '2');
    await firstCheckpoint(out);
    first.child.kill('SIGTERM');
    expect(await first.exit).toBe(3);
    expect(first.log()).toMatch(/returned r16-\S+ to the queue/);
    const status = await ns('sweep', 'status', '--out', out, '--queue', redis.url);
    expect(status.stdout).toMatch(/0 running, 2 waiting, 0 failed/);
    const second = startWorker(redis.url, out);
    expect(await second.exit).toBe(0);
    for (const trial of ids)
      expect(losses(join(out, 'trials', trial))).toEqual(losses(join(local, 'trials', trial)));
  }, 180_000);
});

describe('ns worker and ns sweep --queue refuse cleanly', () => {
  let redis: TestRedis;
  const password = 's3cret-pa55';
  beforeAll(async () => {
    redis = await TestRedis.start({ password });
  }, 30_000);
  afterAll(() => redis.down());

  const failure = async (...args: string[]) => {
    try {
      await ns(...args);
    } catch (error) {
      return error as { code: number; stderr: string };
    }
    throw new Error(`ns ${args.join(' ')} succeeded`);
  };

  it('names host and port when nothing answers', async () => {
    const port = await freePort();
    const e = await failure('worker', '--queue', `redis://127.0.0.1:${port}`, '--out', temp());
    expect(e.code).toBe(1);
    expect(e.stderr).toBe(`ns: cannot reach Redis at 127.0.0.1:${port} (ECONNREFUSED)\n`);
  });

  it('says the password was refused, and never prints it', async () => {
    const e = await failure(
      'worker',
      '--queue',
      `redis://:wrong-${password}@127.0.0.1:${redis.port}`,
      '--out',
      temp(),
    );
    expect(e.stderr).toMatch(
      new RegExp(
        `^ns: Redis at redis://127\\.0\\.0\\.1:${redis.port}/0 refused the credentials \\(WRONGPASS[^\\n]*\\)\\n$`,
      ),
    );
    expect(e.stderr).not.toContain(password);
    const none = await failure(
      'worker',
      '--queue',
      `redis://127.0.0.1:${redis.port}`,
      '--out',
      temp(),
    );
    expect(none.stderr).toMatch(/^ns: Redis at .* refused the credentials \(NOAUTH/);
    const bad = await failure(
      'sweep',
      '--out',
      temp(),
      '--queue',
      `http://:${password}@127.0.0.1:1`,
    );
    expect(bad.stderr).toBe(
      'ns: --queue: expected redis://[:password@]host[:port][/db] or rediss://… (TLS), got the scheme http\n',
    );
    const garbled = await failure(
      'sweep',
      '--out',
      temp(),
      '--queue',
      `redis://:${password}@127.0.0.1:99999`,
    );
    expect(garbled.stderr).not.toContain(password);
    expect(garbled.stderr).toMatch(
      /^ns: --queue: expected .*, got redis:\/\/:\*\*\*@127\.0\.0\.1:99999\n$/,
    );
  });

  it('takes the URL from NS_QUEUE, and refuses an --out it cannot write', async () => {
    const file = join(temp(), 'a-file');
    writeFileSync(file, '');
    const e = await failure('worker', '--out', join(file, 'sweep'));
    expect(e.stderr).toBe('ns: --queue: required (or set NS_QUEUE)\n');
    const refused = await run(process.execPath, [bin, 'worker', '--out', join(file, 'sweep')], {
      env: { ...process.env, NS_QUEUE: redis.url },
      encoding: 'utf8',
    }).catch((error: { stderr: string }) => error);
    expect(refused.stderr).toBe(
      `ns: --out ${join(file, 'sweep')}: this worker cannot write there (ENOTDIR)\n`,
    );
  });

  it('prints the workers as a Kubernetes Indexed Job that names the secret, not the URL', async () => {
    const { stdout } = await run(
      process.execPath,
      [
        bin,
        'sweep',
        '--emit',
        'k8s',
        '--out',
        'runs/r',
        '--queue',
        '--workers',
        '3',
        '--image',
        'ghcr.io/o/ns:0.1',
        '--volume-claim',
        'sweeps',
        '--device',
        'cuda',
      ],
      { env: { ...process.env, NS_QUEUE: redis.url }, encoding: 'utf8' },
    );
    expect(stdout).toMatch(/^apiVersion: batch\/v1\nkind: Job\n/);
    expect(stdout).toContain('  completionMode: Indexed\n  completions: 3\n  parallelism: 3\n');
    expect(stdout).toContain('nvidia.com/gpu: 1');
    expect(stdout).toContain('- /sweeps/runs/r\n');
    expect(stdout).not.toContain(password);
    const e = await failure('sweep', '--emit', 'k8s', '--out', 'runs/r');
    expect(e.stderr).toBe('ns: --emit k8s: --image is required\n');
  });

  it("waits, without spending attempts, while another host still holds a trial's lease", async () => {
    const { out, trial } = await submitOneTrial(redis.url);
    // A worker on a lost machine: its heartbeat is fresh, so its lease holds for now.
    mkdirSync(trial, { recursive: true });
    const now = new Date().toISOString();
    const lease = {
      pid: 4242,
      host: 'lost-machine',
      startedAt: now,
      heartbeatAt: now,
      purpose: 'sweep trial',
      token: 't',
    };
    writeFileSync(join(trial, 'lock.json'), JSON.stringify(lease));
    const worker = startWorker(redis.url, out);
    while (!/again in 10 s/.test(worker.log())) await sleep(100);
    expect(worker.log()).toContain('is in use by process 4242 on lost-machine');
    // The lease expires (its heartbeat is old now): the next try takes it over and finishes.
    writeFileSync(
      join(trial, 'lock.json'),
      JSON.stringify({ ...lease, heartbeatAt: new Date(Date.now() - 600_000).toISOString() }),
    );
    expect(await worker.exit).toBe(0);
    expect(worker.log()).not.toMatch(/attempt 2|failed r16/);
    expect(readFileSync(join(trial, 'log.txt'), 'utf8')).toContain(
      'took over the lock of process 4242 on lost-machine',
    );
    expect(existsSync(join(trial, 'result.json'))).toBe(true);
  }, 60_000);

  it('fails a trial that no retry can fix once, with its reason in the status', async () => {
    const { out, trial } = await submitOneTrial(redis.url);
    // A damaged run folder: its config.json is not a run configuration.
    mkdirSync(trial, { recursive: true });
    writeFileSync(join(trial, 'config.json'), '{"seed": "zero"}');
    const worker = startWorker(redis.url, out);
    expect(await worker.exit).toBe(0);
    expect(worker.log().match(/ start r16-simple_linear-b1-s0/g)).toHaveLength(1);
    const status = await ns('sweep', 'status', '--out', out, '--queue', redis.url);
    expect(status.stdout).toMatch(
      /^r16-simple_linear-b1-s0 +failed +r16-simple_linear-b1-s0: .*config\.json/m,
    );
    expect(status.stdout).toContain('1 trials: 0 done, 0 running, 0 waiting, 1 failed');
  }, 60_000);
});

describe('ns worker over TLS (rediss://)', () => {
  let redis: TestRedis;
  let ca: string;
  beforeAll(async () => {
    const certificates = makeCertificates();
    ca = certificates.ca;
    redis = await TestRedis.start({ password: 'tls-pa55', tls: certificates.dir });
  }, 30_000);
  afterAll(() => redis.down());

  it('runs a trial through a TLS Redis, and names the certificate problem without its CA', async () => {
    const withCa = { ...process.env, NODE_EXTRA_CA_CERTS: ca };
    const refused = await run(
      process.execPath,
      [bin, 'sweep', 'status', '--out', temp(), '--queue', redis.url],
      {
        encoding: 'utf8',
      },
    ).catch((error: { stderr: string }) => error);
    expect(refused.stderr).toBe(
      `ns: TLS to Redis at 127.0.0.1:${redis.port} failed (SELF_SIGNED_CERT_IN_CHAIN); a certificate of a private CA needs NODE_EXTRA_CA_CERTS=<ca.pem>\n`,
    );
    const root = temp();
    const out = join(root, 'sweep');
    const grid = { ...tinyGrid, resolutions: [16], patchSize: { '16': 4 }, inputScales: [1] };
    const sweep = ['sweep', '--grid', writeGrid(root, grid), '--out', out, '--queue', redis.url];
    const submitted = await run(process.execPath, [bin, ...sweep, '--detach'], {
      env: withCa,
      encoding: 'utf8',
    });
    expect(submitted.stderr).toMatch(
      new RegExp(`1 submitted, 0 already queued \\(rediss://127\\.0\\.0\\.1:${redis.port}/0`),
    );
    const worker = spawn(
      process.execPath,
      [bin, 'worker', '--queue', redis.url, '--out', out, '--threads', '1'],
      {
        env: withCa,
        stdio: 'ignore',
      },
    );
    expect(await new Promise((resolve) => worker.on('exit', resolve))).toBe(0);
    expect(readJson(join(out, 'trials', 'r16-simple_linear-b1-s0', 'result.json')).step).toBe(8);
  }, 60_000);
});
