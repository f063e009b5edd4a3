/**
 * `ns sweep --emit k8s`: the workers of a submitted sweep as one Kubernetes Job, printed as YAML
 * (`kubectl apply -f -`). The manifest is built as a plain object (`k8sWorkerJob`) and written by
 * the small serialiser below (`toYaml`): no YAML dependency, and every string that YAML could read
 * as something else (`"3"`, `"yes"`, `"--jobs"`, `"a: b"`) is double-quoted.
 *
 * Why an Indexed Job (completionMode: Indexed, completions = parallelism = workers):
 * - every worker is a numbered pod, retried on its own: a pod that fails (a crash, an
 *   out-of-memory kill, a lost node) is replaced by one with the same index, so the sweep keeps
 *   its `workers` workers until each has seen the queue drained and exited 0;
 * - the Job is complete when every index has exited 0, i.e. when the sweep has nothing left
 *   (`ns worker` returns only then); a work-queue Job without completions would stop replacing
 *   failed pods as soon as one pod had succeeded;
 * - each pod's host name is `<name>-<index>`, so worker log lines (`worker <host>:<pid> …`) and a
 *   run's lock.json name a recognisable worker.
 * The stable host name is why the pod shares one process namespace (shareProcessNamespace): the
 * run lock judges a holder on its own host by whether its pid is alive, and a container restarted
 * in place keeps the pod's host name. The pod's namespace outlives the container, so its pids are
 * not soon handed out again and a dead holder reads as dead. (A replacement pod of the same index,
 * after its node was lost, has the same host name in a new namespace, where the pid test means
 * nothing: it may take a run over at once, and a holder still alive on a cut-off node then finds
 * its lease taken at its next heartbeat and stops without writing.)
 *
 * Why a Secret: the Redis URL carries the password. The manifest names a Secret (key `url`) and the
 * container reads it into NS_QUEUE; the URL itself never appears in the manifest, in `kubectl get
 * job -o yaml`, in this command's output, or in the pod's process arguments (`ns worker` reads it).
 *
 * Exit codes of `ns worker` and what the Job does with them (restartPolicy: OnFailure):
 *   0   the sweep has nothing left: this index is complete;
 *   3   stopped by SIGTERM (pod deleted, evicted, preempted, node drained): the running trials
 *       checkpointed and their jobs went back to the queue; the replacement pod resumes them;
 *   1   failed (Redis unreachable, folder not writable …): restarted in place, with back-off;
 *   137 killed (grace period over, out of memory): restarted; after the stall timeout another
 *       worker resumes the trial from its last checkpoint.
 * Every failure counts towards backoffLimit (6 per worker). A Job that reaches it stops its pods
 * with SIGTERM, so nothing is lost: delete the Job and apply the manifest again to continue.
 */
import { posix } from 'node:path';
import { TrainerError } from '@ns/trainer';

export interface K8sManifestOptions {
  /** The Job's name (a DNS-1123 label); the pods are `<name>-<index>-<suffix>`. */
  readonly name: string;
  /** Worker pods, all running at once. */
  readonly workers: number;
  /** A container image with `ns` on its PATH. */
  readonly image: string;
  /** A PersistentVolumeClaim (ReadWriteMany when pods may land on several nodes) holding the sweep. */
  readonly volumeClaim: string;
  /** Where the claim is mounted in every pod. */
  readonly mountPath: string;
  /** The sweep folder inside the mount: relative to mountPath, or an absolute path under it. */
  readonly sweepDir: string;
  /** A Secret whose key `url` holds the Redis URL (with its password). */
  readonly secretName: string;
  /** `ns worker --jobs`: trials each pod runs side by side. */
  readonly jobsPerPod: number;
  /**
   * `ns worker --threads` for all of a pod's jobs. Default: the whole cores of `cpu` when given
   * (a container sees every core of its node, not its limit); otherwise the node's cores.
   */
  readonly threadsPerPod?: number;
  /** CPU request and limit per pod (a Kubernetes quantity: `4`, `1.5`, `500m`). */
  readonly cpu?: string;
  /** Memory request and limit per pod (a Kubernetes quantity: `8Gi`, `512Mi`). */
  readonly memory?: string;
  /** One NVIDIA GPU per pod (`nvidia.com/gpu: 1`) and `--device cuda`. */
  readonly gpu?: boolean;
}

/** What `toYaml` writes: JSON's values. Object entries that are undefined are left out. */
export type YamlValue =
  | string
  | number
  | boolean
  | null
  | readonly YamlValue[]
  | { readonly [key: string]: YamlValue | undefined };
export type YamlMap = { readonly [key: string]: YamlValue | undefined };

/** Seconds between SIGTERM and SIGKILL: enough for the running trials to checkpoint. */
export const K8S_GRACE_SECONDS = 120;
/** Pod failures the Job tolerates per worker before it gives up (backoffLimit = this × workers). */
export const K8S_FAILURES_PER_WORKER = 6;
/** Kubernetes' limit on the completions of an Indexed Job. */
const MAX_INDEXED_COMPLETIONS = 100_000;

const DNS_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;
const CPU = /^(\d+(\.\d+)?|\.\d+)(m)?$/;
const MEMORY = /^(\d+(\.\d+)?|\.\d+)(Ki|Mi|Gi|Ti|Pi|Ei|k|M|G|T|P|E)?$/;

/** A control character, a line or paragraph separator, or a lone UTF-16 surrogate. */
function unprintable(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c < 0x20 || (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029) return true;
    if (c >= 0xd800 && c <= 0xdbff) {
      const next = text.charCodeAt(i + 1);
      if (!(next >= 0xdc00 && next <= 0xdfff)) return true;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) return true;
  }
  return false;
}

const shown = (value: unknown) =>
  typeof value === 'string' ? JSON.stringify(value) : String(value);

function invalid(option: string, expected: string, value: unknown): never {
  throw new TrainerError(
    'invalid_argument',
    `${option}: expected ${expected}, got ${shown(value)}`,
  );
}

function integer(option: string, value: unknown, min: number, max = Number.MAX_SAFE_INTEGER) {
  if (typeof value !== 'number' || !Number.isInteger(value) || value < min)
    invalid(option, `an integer >= ${min}`, value);
  if (value > max) invalid(option, `an integer from ${min} to ${max}`, value);
  return value;
}

function dnsName(option: string, value: unknown, kind: 'label' | 'subdomain'): string {
  const [pattern, max] = kind === 'label' ? [DNS_LABEL, 63] : [DNS_SUBDOMAIN, 253];
  if (typeof value !== 'string' || value.length > max || !pattern.test(value))
    invalid(
      option,
      `a DNS-1123 ${kind} (at most ${max} characters: lower-case letters, digits${kind === 'subdomain' ? ", '-' and '.'" : " and '-'"}, starting and ending with a letter or digit)`,
      value,
    );
  return value;
}

function quantity(option: string, value: unknown, pattern: RegExp, examples: string): string {
  if (typeof value !== 'string' || !pattern.test(value) || Number.parseFloat(value) <= 0)
    invalid(option, `a Kubernetes quantity > 0 such as ${examples}`, value);
  return value;
}

function printable(option: string, value: unknown, expected: string): string {
  if (typeof value !== 'string' || value === '' || unprintable(value))
    invalid(option, expected, value);
  return value;
}

/** The sweep folder as the pods see it: `sweepDir` resolved against `mountPath`, never above it. */
function sweepFolder(mountPath: string, sweepDir: unknown): string {
  const dir = printable('sweepDir', sweepDir, 'a folder inside mountPath');
  const resolved = posix.resolve(mountPath, dir);
  if (resolved !== mountPath && !resolved.startsWith(`${mountPath}/`))
    invalid('sweepDir', `a folder inside mountPath ${mountPath}`, sweepDir);
  return resolved;
}

/** Whole cores of a CPU quantity (at least 1): `4` → 4, `1.5` → 1, `500m` → 1. */
function wholeCores(cpu: string): number {
  const cores = cpu.endsWith('m') ? Number.parseFloat(cpu) / 1000 : Number.parseFloat(cpu);
  return Math.max(1, Math.floor(cores));
}

/** The worker Job as a plain object (what `k8sWorkerManifest` writes as YAML). */
export function k8sWorkerJob(o: K8sManifestOptions): YamlMap {
  const name = dnsName('name', o.name, 'label');
  const workers = integer('workers', o.workers, 1, MAX_INDEXED_COMPLETIONS);
  const lastHost = `${name}-${workers - 1}`;
  if (lastHost.length > 63)
    throw new TrainerError(
      'invalid_argument',
      `name: ${JSON.stringify(name)} is too long for ${workers} workers: the pod host names (up to ${lastHost}) must fit in 63 characters`,
    );
  const image = printable('image', o.image, 'a container image such as ghcr.io/org/ns:1.0');
  if (/\s/.test(image)) invalid('image', 'a container image such as ghcr.io/org/ns:1.0', image);
  const volumeClaim = dnsName('volumeClaim', o.volumeClaim, 'subdomain');
  const secretName = dnsName('secretName', o.secretName, 'subdomain');
  const mount = printable('mountPath', o.mountPath, 'an absolute path such as /sweeps');
  const mountPath = posix.normalize(mount).replace(/(.)\/$/, '$1');
  if (!mountPath.startsWith('/') || mountPath === '/' || mountPath.includes(':'))
    invalid('mountPath', "an absolute path other than / without ':', such as /sweeps", mount);
  const out = sweepFolder(mountPath, o.sweepDir);
  const jobs = integer('jobsPerPod', o.jobsPerPod, 1);
  const cpu = o.cpu === undefined ? undefined : quantity('cpu', o.cpu, CPU, '4, 1.5 or 500m');
  const memory =
    o.memory === undefined ? undefined : quantity('memory', o.memory, MEMORY, '8Gi or 512Mi');
  const threads =
    o.threadsPerPod !== undefined
      ? integer('threadsPerPod', o.threadsPerPod, 1)
      : cpu === undefined
        ? undefined
        : wholeCores(cpu);
  if (o.gpu !== undefined && typeof o.gpu !== 'boolean') invalid('gpu', 'true or false', o.gpu);
  const gpu = o.gpu === true;

  const args = [
    // ns worker reads the URL from NS_QUEUE: not in the arguments, so not in `ps` either.
    'worker',
    '--out',
    out,
    '--jobs',
    String(jobs),
    ...(threads === undefined ? [] : ['--threads', String(threads)]),
    ...(gpu ? ['--device', 'cuda'] : []),
  ];
  const sized: YamlMap = {
    ...(cpu === undefined ? {} : { cpu }),
    ...(memory === undefined ? {} : { memory }),
  };
  const sizedAny = cpu !== undefined || memory !== undefined;
  // Requests = limits: the pod is scheduled with what it may use (Guaranteed QoS when both cpu and
  // memory are given). A GPU, an extended resource, is asked for under limits only.
  const resources: YamlMap = {
    ...(sizedAny ? { requests: sized } : {}),
    ...(sizedAny || gpu ? { limits: { ...sized, ...(gpu ? { 'nvidia.com/gpu': 1 } : {}) } } : {}),
  };
  const labels = { 'app.kubernetes.io/name': 'ns-worker', 'app.kubernetes.io/instance': name };

  return {
    apiVersion: 'batch/v1',
    kind: 'Job',
    metadata: { name, labels },
    spec: {
      completionMode: 'Indexed',
      completions: workers,
      parallelism: workers,
      backoffLimit: K8S_FAILURES_PER_WORKER * workers,
      template: {
        metadata: { labels },
        spec: {
          restartPolicy: 'OnFailure',
          terminationGracePeriodSeconds: K8S_GRACE_SECONDS,
          shareProcessNamespace: true,
          containers: [
            {
              name: 'worker',
              image,
              command: ['ns'],
              args,
              env: [
                { name: 'NS_QUEUE', valueFrom: { secretKeyRef: { name: secretName, key: 'url' } } },
              ],
              volumeMounts: [{ name: 'sweep', mountPath }],
              ...(sizedAny || gpu ? { resources } : {}),
            },
          ],
          volumes: [{ name: 'sweep', persistentVolumeClaim: { claimName: volumeClaim } }],
        },
      },
    },
  };
}

/** The worker Job as YAML for `kubectl apply -f -` (see the module comment). */
export function k8sWorkerManifest(o: K8sManifestOptions): string {
  return toYaml(k8sWorkerJob(o));
}

// ---------------------------------------------------------------------------------------------
// A YAML writer for JSON values: block maps and lists, 2-space indents, `{}` and `[]` when empty.

/** Strings written bare: letters, digits and `_./-`, not starting with a digit, `.` or `-`. */
const PLAIN = /^[A-Za-z_/][A-Za-z0-9_./-]*$/;
/** Bare words YAML 1.1 or 1.2 reads as booleans or null (YAML 1.1's y/n included). */
const RESERVED = /^(y|yes|n|no|true|false|on|off|null)$/i;

/** A double-quoted YAML scalar: JSON's escapes, plus the characters YAML treats as breaks or BOM. */
function quoted(text: string): string {
  for (const char of text) {
    const c = char.codePointAt(0)!;
    if (c >= 0xd800 && c <= 0xdfff)
      // for…of yields a pair as one code point, a lone half alone
      throw new RangeError(`toYaml: ${JSON.stringify(text)} holds a lone UTF-16 surrogate`);
  }
  let out = '';
  for (const char of JSON.stringify(text)) {
    const c = char.codePointAt(0)!;
    // JSON leaves these bare; YAML 1.1 reads U+0085, U+2028 and U+2029 as line breaks.
    out +=
      (c >= 0x7f && c <= 0x9f) || c === 0x2028 || c === 0x2029 || c === 0xfeff
        ? `\\u${c.toString(16).padStart(4, '0')}`
        : char;
  }
  return out;
}

const text = (s: string) => (PLAIN.test(s) && !RESERVED.test(s) ? s : quoted(s));

const isMap = (v: YamlValue): v is YamlMap =>
  typeof v === 'object' && v !== null && !Array.isArray(v);

const entriesOf = (map: YamlMap) =>
  Object.entries(map).filter((e): e is [string, YamlValue] => e[1] !== undefined);

/** The one-line form of a scalar or an empty collection; undefined for a non-empty one. */
function inline(value: YamlValue): string | undefined {
  if (value === null) return 'null';
  if (typeof value === 'boolean') return String(value);
  if (typeof value === 'number') {
    if (!Number.isFinite(value)) throw new RangeError(`toYaml: ${value} is not a finite number`);
    return String(value);
  }
  if (typeof value === 'string') return text(value);
  if (Array.isArray(value)) return value.length === 0 ? '[]' : undefined;
  if (isMap(value)) return entriesOf(value).length === 0 ? '{}' : undefined;
  throw new TypeError(`toYaml: cannot write a ${typeof value}`);
}

/** The lines of a non-empty map or list, each indented by `indent` spaces. */
function block(value: YamlValue, indent: number): string[] {
  const pad = ' '.repeat(indent);
  const out: string[] = [];
  if (Array.isArray(value)) {
    for (const item of value as readonly YamlValue[]) {
      if (item === undefined) throw new TypeError('toYaml: a list holds undefined');
      const one = inline(item);
      if (one !== undefined) out.push(`${pad}- ${one}`);
      else {
        // The item's first line goes on the dash: `- name: worker`, `- - a`.
        const lines = block(item, indent + 2);
        out.push(`${pad}- ${lines[0]!.slice(indent + 2)}`, ...lines.slice(1));
      }
    }
    return out;
  }
  for (const [key, item] of entriesOf(value as YamlMap)) {
    const one = inline(item);
    if (one !== undefined) out.push(`${pad}${text(key)}: ${one}`);
    else out.push(`${pad}${text(key)}:`, ...block(item, indent + 2));
  }
  return out;
}

/** `value` as a YAML document (block style), ending with a newline. */
export function toYaml(value: YamlValue): string {
  const one = inline(value);
  return `${one ?? block(value, 0).join('\n')}\n`;
}
