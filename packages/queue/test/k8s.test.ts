/**
 * The worker Job of `ns sweep --emit k8s`: its structure as an object, and its YAML read back by
 * a strict reader of the block subset the writer emits. The reader resolves bare words the way
 * YAML 1.1 and 1.2 would (`3`, `yes`, `on`, `0x1F`, `1:20`, `2001-12-14` are not strings), so a
 * string the writer forgot to quote does not read back equal.
 */
import {
  K8S_FAILURES_PER_WORKER,
  K8S_GRACE_SECONDS,
  type K8sManifestOptions,
  k8sWorkerJob,
  k8sWorkerManifest,
  toYaml,
  type YamlValue,
} from '../src/k8s';

// ---------------------------------------------------------------------------------------------
// A test-only YAML reader: block maps and lists, `- ` items that open a map, plain and quoted
// scalars, `{}` and `[]`. Anything else (flow collections, anchors, tags, comments, tabs, odd
// indents, a plain scalar holding ': ' or ' #') is an error, never a silent guess.

/** A bare word YAML reads as something other than a string, number, boolean or null. */
class Other {
  constructor(readonly text: string) {}
}

const YAML11_BOOL =
  /^(y|Y|yes|Yes|YES|n|N|no|No|NO|true|True|TRUE|false|False|FALSE|on|On|ON|off|Off|OFF)$/;
const TRUE = /^(y|Y|yes|Yes|YES|true|True|TRUE|on|On|ON)$/;
const NULL = /^(~|null|Null|NULL)$/;
const DECIMAL = /^[-+]?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][-+]?[0-9]+)?$/;
/** Other numbers of YAML 1.1 or 1.2: octal, hex, binary, underscores, sexagesimal, .inf, .nan. */
const OTHER_NUMBER = [
  /^[-+]?0[0-7_]+$/,
  /^0o[0-7]+$/,
  /^[-+]?0x[0-9a-fA-F_]+$/,
  /^[-+]?0b[01_]+$/,
  /^[-+]?[0-9][0-9_]*$/,
  /^[-+]?([0-9][0-9_]*)?\.[0-9_]*([eE][-+]?[0-9]+)?$/,
  /^[-+]?[0-9]+(\.[0-9]*)?[eE][-+]?[0-9]+$/,
  /^[-+]?[1-9][0-9_]*(:[0-5]?[0-9])+(\.[0-9_]*)?$/,
  /^[-+]?\.(inf|Inf|INF)$/,
  /^\.(nan|NaN|NAN)$/,
];
const TIMESTAMP = /^[0-9]{4}-[0-9]{1,2}-[0-9]{1,2}/;

function plainScalar(text: string, where: string): unknown {
  if (text === '' || text !== text.trim() || /\t/.test(text))
    throw new Error(`${where}: bad plain scalar ${JSON.stringify(text)}`);
  if (/^[[\]{}#&*!|>'"%@`,?]/.test(text) || /^- |^-$|^:( |$)/.test(text))
    throw new Error(`${where}: ${JSON.stringify(text)} starts with an indicator`);
  if (/: |:$| #/.test(text)) throw new Error(`${where}: ${JSON.stringify(text)} is not one scalar`);
  if (NULL.test(text)) return null;
  if (YAML11_BOOL.test(text)) return TRUE.test(text);
  if (DECIMAL.test(text)) return Number(text);
  if (
    OTHER_NUMBER.some((p) => p.test(text)) ||
    TIMESTAMP.test(text) ||
    text === '=' ||
    text === '<<'
  )
    return new Other(text);
  return text;
}

const ESCAPES: Record<string, string> = {
  '0': '\0',
  a: '\x07',
  b: '\b',
  t: '\t',
  '\t': '\t',
  n: '\n',
  v: '\v',
  f: '\f',
  r: '\r',
  e: '\x1b',
  ' ': ' ',
  '"': '"',
  '/': '/',
  '\\': '\\',
  N: '\u0085',
  _: '\u00a0',
  L: '\u2028',
  P: '\u2029',
};

/** A double-quoted scalar that is the whole of `text`. */
function doubleQuoted(text: string, where: string): string {
  let out = '';
  let i = 1;
  for (;;) {
    const c = text[i];
    if (c === undefined) throw new Error(`${where}: unterminated string ${text}`);
    if (c === '"') break;
    if (c === '\\') {
      const e = text[i + 1] ?? '';
      const width = { x: 2, u: 4, U: 8 }[e];
      if (width !== undefined) {
        const hex = text.slice(i + 2, i + 2 + width);
        if (!new RegExp(`^[0-9a-fA-F]{${width}}$`).test(hex))
          throw new Error(`${where}: bad escape \\${e}${hex}`);
        const code = Number.parseInt(hex, 16);
        if (code >= 0xd800 && code <= 0xdfff) throw new Error(`${where}: surrogate escape ${hex}`);
        out += String.fromCodePoint(code);
        i += 2 + width;
        continue;
      }
      const plain = ESCAPES[e];
      if (plain === undefined) throw new Error(`${where}: unknown escape \\${e}`);
      out += plain;
      i += 2;
      continue;
    }
    if (c.charCodeAt(0) < 0x20) throw new Error(`${where}: raw control character in a string`);
    out += c;
    i++;
  }
  if (i !== text.length - 1)
    throw new Error(`${where}: text after the string: ${text.slice(i + 1)}`);
  return out;
}

function singleQuoted(text: string, where: string): string {
  if (!/^'([^']|'')*'$/.test(text)) throw new Error(`${where}: bad single-quoted ${text}`);
  return text.slice(1, -1).replace(/''/g, "'");
}

function scalar(text: string, where: string): unknown {
  if (text === '{}') return {};
  if (text === '[]') return [];
  if (text.startsWith('"')) return doubleQuoted(text, where);
  if (text.startsWith("'")) return singleQuoted(text, where);
  return plainScalar(text, where);
}

/** Splits `key: rest` (or `key:`) off a line's content; undefined when it is not a map entry. */
function mapEntry(content: string, where: string): { key: string; rest: string } | undefined {
  if (content.startsWith('"') || content.startsWith("'")) {
    // The quoted key ends at its closing quote; find it by scanning.
    const quote = content[0]!;
    let i = 1;
    while (i < content.length) {
      if (quote === '"' && content[i] === '\\') i += 2;
      else if (quote === "'" && content[i] === "'" && content[i + 1] === "'") i += 2;
      else if (content[i] === quote) break;
      else i++;
    }
    const after = content.slice(i + 1);
    if (!/^:( |$)/.test(after)) return undefined;
    const raw = content.slice(0, i + 1);
    const key = quote === '"' ? doubleQuoted(raw, where) : singleQuoted(raw, where);
    return { key, rest: after.slice(1).trimStart() };
  }
  const colon = content.search(/:( |$)/);
  if (colon < 0) return undefined;
  const key = plainScalar(content.slice(0, colon), where);
  if (typeof key !== 'string')
    throw new Error(`${where}: key ${content.slice(0, colon)} is not a string`);
  return { key, rest: content.slice(colon + 1).trimStart() };
}

interface Line {
  readonly indent: number;
  content: string;
  readonly number: number;
}

function readYaml(text: string): unknown {
  if (!text.endsWith('\n')) throw new Error('no final newline');
  const lines: Line[] = text
    .slice(0, -1)
    .split('\n')
    .map((raw, i) => {
      if (/^ *\t/.test(raw)) throw new Error(`line ${i + 1}: tab in the indent`);
      if (raw.trim() === '' || raw.trimStart().startsWith('#'))
        throw new Error(`line ${i + 1}: blank or comment line (the writer emits none)`);
      if (/\s$/.test(raw)) throw new Error(`line ${i + 1}: trailing white space`);
      const indent = raw.length - raw.trimStart().length;
      return { indent, content: raw.slice(indent), number: i + 1 };
    });
  let at = 0;

  function node(indent: number): unknown {
    const first = lines[at]!;
    const where = `line ${first.number}`;
    if (first.indent !== indent)
      throw new Error(`${where}: indent ${first.indent}, expected ${indent}`);
    if (first.content === '-' || first.content.startsWith('- ')) return list(indent);
    if (mapEntry(first.content, where) !== undefined) return map(indent);
    at++;
    return scalar(first.content, where);
  }

  /** The value after `key:` or `-` with nothing on the line: the block below, more indented. */
  function nested(parent: number, where: string, listMayAlign: boolean): unknown {
    const next = lines[at];
    if (next === undefined) throw new Error(`${where}: nothing after the key`);
    if (next.indent > parent) return node(next.indent);
    if (listMayAlign && next.indent === parent && next.content.startsWith('- '))
      return list(parent);
    throw new Error(`${where}: nothing after the key`);
  }

  function list(indent: number): unknown[] {
    const out: unknown[] = [];
    while (at < lines.length && lines[at]!.indent === indent) {
      const line = lines[at]!;
      const where = `line ${line.number}`;
      if (line.content === '-') {
        at++;
        out.push(nested(indent, where, false));
        continue;
      }
      if (!line.content.startsWith('- ')) break;
      // `- x…`: the item is a node starting at the column after the dash.
      const inner = line.content.slice(2);
      const column = indent + 2 + (inner.length - inner.trimStart().length);
      lines[at] = { indent: column, content: inner.trimStart(), number: line.number };
      out.push(node(column));
    }
    return out;
  }

  function map(indent: number): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    while (at < lines.length && lines[at]!.indent === indent) {
      const line = lines[at]!;
      const where = `line ${line.number}`;
      if (line.content.startsWith('- ')) break;
      const entry = mapEntry(line.content, where);
      if (entry === undefined)
        throw new Error(`${where}: expected key: value, got ${line.content}`);
      if (Object.hasOwn(out, entry.key)) throw new Error(`${where}: key ${entry.key} repeated`);
      at++;
      out[entry.key] = entry.rest === '' ? nested(indent, where, true) : scalar(entry.rest, where);
    }
    return out;
  }

  const value = node(lines[0]?.indent ?? 0);
  if (at !== lines.length) throw new Error(`line ${lines[at]!.number}: unexpected indent`);
  return value;
}

// ---------------------------------------------------------------------------------------------

type Obj = Record<string, unknown>;
/** The value at a dotted path of the Job (`spec.template.spec`; list items by number). */
function at(value: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, key) => (v as Obj | undefined)?.[key], value);
}

const base: K8sManifestOptions = {
  name: 'ns-sweep',
  workers: 3,
  image: 'ghcr.io/example/ns:0.1.0',
  volumeClaim: 'sweeps',
  mountPath: '/sweeps',
  sweepDir: 'runs/replication',
  secretName: 'ns-queue',
  jobsPerPod: 2,
};

describe('reader (of this test)', () => {
  test('tells quoted strings from what YAML reads bare words as', () => {
    expect(readYaml('a: "3"\nb: 3\nc: yes\nd: "yes"\ne: ~\nf: 0x1F\ng: -1.5e3\nh: x:y\n')).toEqual({
      a: '3',
      b: 3,
      c: true,
      d: 'yes',
      e: null,
      f: new Other('0x1F'),
      g: -1500,
      h: 'x:y',
    });
    expect(readYaml('l:\n  - a\n  - - b\n    - c\n  - k: v\n    m: {}\n')).toEqual({
      l: ['a', ['b', 'c'], { k: 'v', m: {} }],
    });
  });

  test.each([
    ['a: b: c\n'],
    ['a: x #y\n'],
    ['a: [x]\n'],
    ['a: &x y\n'],
    ['a: "open\n'],
    ['a: "bad \\q"\n'],
    ['a:\n b: 1\n  c: 2\n'],
    ['a: 1\na: 2\n'],
    ['a:\tb\n'],
  ])('refuses %j', (yaml) => {
    expect(() => readYaml(yaml)).toThrow();
  });
});

describe('toYaml', () => {
  /** Strings YAML would misread unquoted, or that need escapes. */
  const tricky = [
    '3',
    '-3',
    '007',
    '0x1F',
    '0o17',
    '1e3',
    '.5',
    '1_000',
    '1:20',
    '2001-12-14',
    'yes',
    'No',
    'on',
    'OFF',
    'y',
    'n',
    'true',
    'False',
    'null',
    'Null',
    '~',
    '.inf',
    '-.Inf',
    '.NaN',
    '',
    ' leading',
    'trailing ',
    'a: b',
    'a:b',
    'key:',
    ':',
    '#x',
    'a #b',
    '- item',
    '-',
    '--queue',
    '"quoted"',
    "'single'",
    'back\\slash',
    'line\nbreak',
    'tab\there',
    'cr\r',
    '[x]',
    '{x}',
    '&anchor',
    '*alias',
    '!tag',
    '|',
    '>',
    '%x',
    '@x',
    '`x`',
    '?x',
    ',x',
    '=',
    '<<',
    '$(NS_QUEUE)',
    'ghcr.io/org/ns:1.0',
    '/mnt/sweeps/runs a',
    'é ü 漢字 🙂',
    'nel\u0085',
    'ls\u2028ps\u2029',
    'bom\ufeff',
    'del\u007f',
    'nul\u0000',
  ];

  test('reads back every tricky string, as values, list items and keys', () => {
    const doc: YamlValue = {
      values: Object.fromEntries(tricky.map((s, i) => [`k${i}`, s])),
      items: tricky,
      keys: Object.fromEntries(tricky.map((s, i) => [s, i])),
      nested: [[['deep']], [], {}, { a: [] }, null, true, false, 0, -2, 1.5, 'plain'],
    };
    expect(readYaml(toYaml(doc))).toEqual(doc);
  });

  test('writes safe words bare and quotes the rest', () => {
    expect(toYaml({ args: ['worker', '--jobs', '2', '$(NS_QUEUE)', '/sweeps/runs'] })).toBe(
      'args:\n  - worker\n  - "--jobs"\n  - "2"\n  - "$(NS_QUEUE)"\n  - /sweeps/runs\n',
    );
    expect(toYaml({ on: 'yes', 'nvidia.com/gpu': 1, n: null, list: [{ a: 1, b: [] }] })).toBe(
      '"on": "yes"\nnvidia.com/gpu: 1\n"n": null\nlist:\n  - a: 1\n    b: []\n',
    );
    expect(toYaml({ s: 'a\u2028b' })).toBe('s: "a\\u2028b"\n');
  });

  test('refuses what YAML cannot hold', () => {
    expect(() => toYaml({ x: Number.NaN })).toThrow(/finite/);
    expect(() => toYaml({ x: '\ud800' })).toThrow(/surrogate/);
  });
});

describe('k8sWorkerJob', () => {
  test('an Indexed Job of workers that read the queue URL from the Secret', () => {
    const job = k8sWorkerJob(base);
    expect(at(job, 'apiVersion')).toBe('batch/v1');
    expect(at(job, 'kind')).toBe('Job');
    expect(at(job, 'metadata.name')).toBe('ns-sweep');
    expect(at(job, 'spec.completionMode')).toBe('Indexed');
    expect(at(job, 'spec.completions')).toBe(3);
    expect(at(job, 'spec.parallelism')).toBe(3);
    expect(at(job, 'spec.backoffLimit')).toBe(3 * K8S_FAILURES_PER_WORKER);
    const pod = at(job, 'spec.template.spec');
    expect(at(pod, 'restartPolicy')).toBe('OnFailure');
    expect(at(pod, 'terminationGracePeriodSeconds')).toBe(K8S_GRACE_SECONDS);
    expect(K8S_GRACE_SECONDS).toBeGreaterThanOrEqual(60);
    expect(at(pod, 'shareProcessNamespace')).toBe(true);
    expect(at(pod, 'containers.length')).toBe(1);
    const container = at(pod, 'containers.0') as Obj;
    expect(container.image).toBe('ghcr.io/example/ns:0.1.0');
    expect(container.command).toEqual(['ns']);
    expect(container.args).toEqual(['worker', '--out', '/sweeps/runs/replication', '--jobs', '2']);
    expect(container.env).toEqual([
      { name: 'NS_QUEUE', valueFrom: { secretKeyRef: { name: 'ns-queue', key: 'url' } } },
    ]);
    expect(container.volumeMounts).toEqual([{ name: 'sweep', mountPath: '/sweeps' }]);
    expect(at(pod, 'volumes')).toEqual([
      { name: 'sweep', persistentVolumeClaim: { claimName: 'sweeps' } },
    ]);
    expect(container.resources).toBeUndefined();
    // The pods carry the Job's labels (for kubectl logs -l).
    expect(at(job, 'spec.template.metadata.labels')).toEqual(at(job, 'metadata.labels'));
  });

  test('resources, threads and the GPU', () => {
    const job = k8sWorkerJob({ ...base, cpu: '4', memory: '8Gi', gpu: true, jobsPerPod: 1 });
    const container = at(job, 'spec.template.spec.containers.0') as Obj;
    expect(container.resources).toEqual({
      requests: { cpu: '4', memory: '8Gi' },
      limits: { cpu: '4', memory: '8Gi', 'nvidia.com/gpu': 1 },
    });
    // Threads follow the CPU limit when not given: a container sees all of its node's cores.
    expect(container.args).toEqual([
      'worker',
      '--out',
      '/sweeps/runs/replication',
      '--jobs',
      '1',
      '--threads',
      '4',
      '--device',
      'cuda',
    ]);
    const cpuOnly = k8sWorkerJob({ ...base, cpu: '1500m', threadsPerPod: 3 });
    expect(at(cpuOnly, 'spec.template.spec.containers.0.resources')).toEqual({
      requests: { cpu: '1500m' },
      limits: { cpu: '1500m' },
    });
    expect(at(cpuOnly, 'spec.template.spec.containers.0.args')).toContain('3');
    expect(
      at(k8sWorkerJob({ ...base, cpu: '500m' }), 'spec.template.spec.containers.0.args'),
    ).toEqual(expect.arrayContaining(['--threads', '1']));
    const gpuOnly = k8sWorkerJob({ ...base, gpu: true });
    expect(at(gpuOnly, 'spec.template.spec.containers.0.resources')).toEqual({
      limits: { 'nvidia.com/gpu': 1 },
    });
    expect(
      at(k8sWorkerJob({ ...base, gpu: false }), 'spec.template.spec.containers.0.args'),
    ).not.toContain('--device');
  });

  test('the sweep folder: relative to the mount, or absolute under it', () => {
    const out = (o: Partial<K8sManifestOptions>) =>
      (at(k8sWorkerJob({ ...base, ...o }), 'spec.template.spec.containers.0.args') as string[])[2];
    expect(out({ sweepDir: 'a/../b' })).toBe('/sweeps/b');
    expect(out({ sweepDir: '/sweeps/x' })).toBe('/sweeps/x');
    expect(out({ sweepDir: '.', mountPath: '/data/' })).toBe('/data');
    expect(out({ sweepDir: 'my sweep: 2' })).toBe('/sweeps/my sweep: 2');
  });
});

describe('k8sWorkerManifest', () => {
  const variants: Array<[string, Partial<K8sManifestOptions>]> = [
    ['defaults', {}],
    ['gpu, cpu, memory', { gpu: true, cpu: '8', memory: '32Gi', jobsPerPod: 1 }],
    ['odd folder names', { sweepDir: '3', mountPath: '/mnt/yes', workers: 1 }],
    ['more odd folder names', { sweepDir: '- on: #x "q" \\ \'s\'', threadsPerPod: 2 }],
    ['an image with a port and digest', { image: 'registry:5000/ns@sha256:0123abcd' }],
  ];

  test.each(variants)('reads back as k8sWorkerJob: %s', (_, o) => {
    const options = { ...base, ...o };
    const yaml = k8sWorkerManifest(options);
    expect(readYaml(yaml)).toEqual(k8sWorkerJob(options));
  });

  test('the text of a GPU worker', () => {
    expect(
      k8sWorkerManifest({
        ...base,
        workers: 2,
        gpu: true,
        cpu: '4',
        memory: '16Gi',
        jobsPerPod: 1,
      }),
    ).toBe(
      `apiVersion: batch/v1
kind: Job
metadata:
  name: ns-sweep
  labels:
    app.kubernetes.io/name: ns-worker
    app.kubernetes.io/instance: ns-sweep
spec:
  completionMode: Indexed
  completions: 2
  parallelism: 2
  backoffLimit: 12
  template:
    metadata:
      labels:
        app.kubernetes.io/name: ns-worker
        app.kubernetes.io/instance: ns-sweep
    spec:
      restartPolicy: OnFailure
      terminationGracePeriodSeconds: 120
      shareProcessNamespace: true
      containers:
        - name: worker
          image: "ghcr.io/example/ns:0.1.0"
          command:
            - ns
          args:
            - worker
            - "--out"
            - /sweeps/runs/replication
            - "--jobs"
            - "1"
            - "--threads"
            - "4"
            - "--device"
            - cuda
          env:
            - name: NS_QUEUE
              valueFrom:
                secretKeyRef:
                  name: ns-queue
                  key: url
          volumeMounts:
            - name: sweep
              mountPath: /sweeps
          resources:
            requests:
              cpu: "4"
              memory: "16Gi"
            limits:
              cpu: "4"
              memory: "16Gi"
              nvidia.com/gpu: 1
      volumes:
        - name: sweep
          persistentVolumeClaim:
            claimName: sweeps
`,
    );
  });

  test('never holds a Redis URL or password', () => {
    // A caller that passes the URL along by mistake: it is not an option and is not written.
    const options = {
      ...base,
      url: 'redis://:hunter2@redis.internal:6379/0',
    } as K8sManifestOptions;
    const yaml = k8sWorkerManifest(options);
    expect(yaml).not.toMatch(/hunter2|redis:\/\/|rediss:\/\/|redis\.internal/);
    expect(yaml).toContain('secretKeyRef');
    expect(yaml).not.toMatch(/^\s*value:/m);
  });
});

describe('bad options', () => {
  test.each<[Partial<Record<keyof K8sManifestOptions, unknown>>, string]>([
    [{ workers: 0 }, 'workers: expected an integer >= 1, got 0'],
    [{ workers: 2.5 }, 'workers: expected an integer >= 1, got 2.5'],
    [{ workers: 100_001 }, 'workers: expected an integer from 1 to 100000, got 100001'],
    [{ jobsPerPod: 0 }, 'jobsPerPod: expected an integer >= 1, got 0'],
    [{ threadsPerPod: -1 }, 'threadsPerPod: expected an integer >= 1, got -1'],
    [{ name: 'Sweep_1' }, 'name: expected a DNS-1123 label'],
    [{ name: '-sweep' }, 'name: expected a DNS-1123 label'],
    [{ name: 'a'.repeat(64) }, 'name: expected a DNS-1123 label'],
    [{ name: 'a'.repeat(62), workers: 10 }, 'must fit in 63 characters'],
    [{ secretName: 'redis://x' }, 'secretName: expected a DNS-1123 subdomain'],
    [{ volumeClaim: '' }, 'volumeClaim: expected a DNS-1123 subdomain'],
    [{ image: '' }, 'image: expected a container image'],
    [{ image: 'ns latest' }, 'image: expected a container image'],
    [{ mountPath: 'sweeps' }, 'mountPath: expected an absolute path'],
    [{ mountPath: '/' }, 'mountPath: expected an absolute path other than /'],
    [{ mountPath: '/a:b' }, "without ':'"],
    [
      { sweepDir: '../elsewhere' },
      'sweepDir: expected a folder inside mountPath /sweeps, got "../elsewhere"',
    ],
    [{ sweepDir: '/other/x' }, 'sweepDir: expected a folder inside mountPath /sweeps'],
    [{ sweepDir: 'a\nb' }, 'sweepDir: expected a folder inside mountPath'],
    [{ cpu: '0' }, 'cpu: expected a Kubernetes quantity > 0 such as 4, 1.5 or 500m, got "0"'],
    [{ cpu: '2 cores' }, 'cpu: expected a Kubernetes quantity'],
    [
      { memory: '8GB' },
      'memory: expected a Kubernetes quantity > 0 such as 8Gi or 512Mi, got "8GB"',
    ],
    [{ gpu: 'yes' }, 'gpu: expected true or false, got "yes"'],
  ])('%j', (bad, message) => {
    const run = () => k8sWorkerJob({ ...base, ...bad } as K8sManifestOptions);
    expect(run).toThrow(message);
    // One line, naming the option first.
    try {
      run();
    } catch (error) {
      expect((error as Error).message).not.toContain('\n');
      expect((error as Error).message.split(':')[0]).toBe(Object.keys(bad)[0]);
      expect((error as { code?: string }).code).toBe('invalid_argument');
    }
  });
});
