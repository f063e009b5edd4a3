/**
 * The one checkpoint format: `checkpoints/step-<n>/` holding
 *   model.safetensors      online weights            (same tensors as ema.safetensors, so either
 *   ema.safetensors        EMA weights                binds to eval_model.onnx)
 *   optimizer.safetensors  `<param>.<slot>` moments
 *   state.json             step, the data iterator's position, each file's size and sha256
 * written into a temporary folder, made visible by one atomic rename, then named by the atomic
 * `checkpoints/LATEST`. The previous checkpoint stays until the new one is complete, so a crash
 * (or a full disk) never loses both. Nothing non-finite is ever published.
 */
import { createHash } from 'node:crypto';
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeSafetensors, encodeSafetensors, type ParamArray, type SafeTensor } from '@ns/graph';
import { publishFolder, writeFileAtomic, writeSynced } from '../atomic.js';
import { TrainerError } from '../errors.js';
import { describeSystemError, hasCode } from '../system-errors.js';
import { CHECKPOINT_NAME, checkpointDir, checkpointName, RUN_FILES } from './layout.js';

export interface CheckpointData {
  readonly step: number;
  /** name → value (shapes are the run's, see `TensorShapes`). */
  readonly params: ReadonlyMap<string, ParamArray>;
  /** `<param>.<slot>` → value. */
  readonly slots: ReadonlyMap<string, ParamArray>;
  readonly ema: ReadonlyMap<string, ParamArray>;
  /** Anything else needed to continue exactly (the data iterator's position). */
  readonly extra: Readonly<Record<string, unknown>>;
}

/** The tensors a checkpoint of this run must hold: parameter shapes and optimizer slots. */
export interface TensorShapes {
  readonly params: ReadonlyMap<string, readonly number[]>;
  readonly slots: readonly string[];
}

export interface CheckpointRef {
  readonly name: string;
  readonly step: number;
  readonly dir: string;
}

const FILES = {
  model: 'model.safetensors',
  optimizer: 'optimizer.safetensors',
  ema: 'ema.safetensors',
  state: 'state.json',
} as const;

interface StateFile {
  readonly step: number;
  readonly extra: Record<string, unknown>;
  readonly files: Record<string, { readonly bytes: number; readonly sha256: string }>;
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

/** The first non-finite value among `tensors`, as "`name`[i] = NaN", or undefined. */
export function firstNonFinite(
  tensors: ReadonlyMap<string, ArrayLike<number>>,
  label: string,
): string | undefined {
  for (const [name, values] of tensors) {
    for (let i = 0; i < values.length; i++) {
      const v = values[i]!;
      if (!Number.isFinite(v)) return `${label} '${name}'[${i}] = ${v}`;
    }
  }
  return undefined;
}

function encode(
  values: ReadonlyMap<string, ParamArray>,
  shapeOf: (name: string) => readonly number[],
) {
  const out: Record<string, SafeTensor> = {};
  for (const [name, data] of values) {
    const shape = shapeOf(name);
    out[name] =
      data instanceof Float64Array
        ? { dtype: 'float64', shape, data }
        : { dtype: 'float32', shape, data: data as Float32Array };
  }
  // No metadata: every checkpoint of a run then has byte-identical headers, the layout that
  // eval_model.onnx is bound to.
  return encodeSafetensors(out);
}

const ownerOf = (slotKey: string) => slotKey.slice(0, slotKey.lastIndexOf('.'));

/**
 * Writes the checkpoint of `data.step` and points LATEST at it; keeps the newest `keep`.
 * Refuses (TrainerError 'non_finite') to write weights, EMA or moments that are not finite, and
 * on a full disk removes the partial folder and says which checkpoint is still intact.
 */
export async function saveCheckpoint(
  runDir: string,
  data: CheckpointData,
  shapes: TensorShapes,
  keep = 2,
): Promise<CheckpointRef> {
  const bad =
    firstNonFinite(data.params, 'weight') ??
    firstNonFinite(data.ema, 'EMA weight') ??
    firstNonFinite(data.slots, 'optimizer moment');
  if (bad !== undefined) {
    const intact = await readLatestName(runDir).catch(() => undefined);
    throw new TrainerError(
      'non_finite',
      `step ${data.step}: ${bad}; not writing a checkpoint of non-finite values (${intact ? `${intact} is the last intact checkpoint` : 'there is no earlier checkpoint'}; lower --lr?)`,
      { path: runDir },
    );
  }
  const root = join(runDir, RUN_FILES.checkpoints);
  const name = checkpointName(data.step);
  const temporary = join(root, `.${name}.${process.pid}.tmp`);
  const shapeOf = (n: string) => shapes.params.get(n)!;
  try {
    await mkdir(root, { recursive: true });
    await rm(temporary, { recursive: true, force: true });
    await mkdir(temporary);
    const files: StateFile['files'] = {};
    const put = async (file: string, bytes: Uint8Array) => {
      await writeSynced(join(temporary, file), bytes);
      files[file] = { bytes: bytes.byteLength, sha256: sha256(bytes) };
    };
    await put(FILES.model, encode(data.params, shapeOf));
    await put(FILES.ema, encode(data.ema, shapeOf));
    await put(
      FILES.optimizer,
      encode(data.slots, (k) => shapeOf(ownerOf(k))),
    );
    const state: StateFile = { step: data.step, extra: { ...data.extra }, files };
    await writeSynced(join(temporary, FILES.state), `${JSON.stringify(state, null, 2)}\n`);
    const final = checkpointDir(runDir, data.step);
    await rm(final, { recursive: true, force: true }); // a re-save of the same step
    await publishFolder(temporary, final);
    await writeFileAtomic(join(root, 'LATEST'), `${name}\n`);
  } catch (error) {
    await rm(temporary, { recursive: true, force: true }).catch(() => undefined);
    if (hasCode(error, 'ENOSPC') || hasCode(error, 'EDQUOT')) {
      const intact = await readLatestName(runDir).catch(() => undefined);
      throw new TrainerError(
        'io',
        `no space left on the disk that holds ${runDir}: the checkpoint of step ${data.step} was not written; ${intact ? `${intact} is intact` : 'there is no earlier checkpoint'}. Free some space, then --resume`,
        { path: runDir, cause: error },
      );
    }
    throw describeSystemError(error, runDir, `cannot write the checkpoint of step ${data.step}`);
  }
  const published = await listCheckpoints(runDir);
  for (const stale of published.slice(0, Math.max(0, published.length - keep))) {
    if (stale.name !== name) await rm(stale.dir, { recursive: true, force: true });
  }
  return { name, step: data.step, dir: checkpointDir(runDir, data.step) };
}

/** The published checkpoints of a run, oldest first. */
export async function listCheckpoints(runDir: string): Promise<CheckpointRef[]> {
  const root = join(runDir, RUN_FILES.checkpoints);
  let names: string[];
  try {
    names = await readdir(root);
  } catch (error) {
    if (hasCode(error, 'ENOENT')) return [];
    throw describeSystemError(error, root, 'cannot list the checkpoints');
  }
  return names
    .map((name) => ({ name, match: CHECKPOINT_NAME.exec(name) }))
    .filter((c) => c.match !== null)
    .map((c) => ({ name: c.name, step: Number(c.match![1]), dir: join(root, c.name) }))
    .sort((a, b) => a.step - b.step);
}

/** What `checkpoints/LATEST` names, or undefined when the run has no checkpoint yet. */
export async function readLatestName(runDir: string): Promise<string | undefined> {
  try {
    return (await readFile(join(runDir, RUN_FILES.checkpoints, 'LATEST'), 'utf8')).trim();
  } catch (error) {
    if (hasCode(error, 'ENOENT')) return undefined;
    throw describeSystemError(error, join(runDir, RUN_FILES.checkpoints, 'LATEST'));
  }
}

class Damaged extends Error {}

async function readChecked(dir: string, file: string, state: StateFile): Promise<Uint8Array> {
  const path = join(dir, file);
  const expected = state.files[file];
  if (!expected) throw new Damaged(`${path}: not listed in state.json`);
  let bytes: Uint8Array;
  try {
    bytes = await readFile(path);
  } catch (error) {
    if (hasCode(error, 'ENOENT')) throw new Damaged(`${path} is missing`);
    throw describeSystemError(error, path);
  }
  if (bytes.byteLength !== expected.bytes)
    throw new Damaged(
      `${path} has ${bytes.byteLength} bytes, state.json records ${expected.bytes}`,
    );
  if (sha256(bytes) !== expected.sha256)
    throw new Damaged(`${path}: sha256 differs from state.json`);
  return bytes;
}

function tensorsOf(
  bytes: Uint8Array,
  path: string,
  expected: ReadonlyMap<string, readonly number[]>,
): Map<string, ParamArray> {
  let tensors: Record<string, SafeTensor>;
  try {
    tensors = decodeSafetensors(bytes, path).tensors;
  } catch (error) {
    throw new Damaged(error instanceof Error ? error.message : String(error));
  }
  const out = new Map<string, ParamArray>();
  for (const [name, shape] of expected) {
    const t = tensors[name];
    if (!t) throw new Damaged(`${path}: tensor '${name}' of the model is missing`);
    if (t.dtype === 'int64')
      throw new Damaged(`${path}: tensor '${name}' is int64, expected float`);
    if (t.shape.join(',') !== shape.join(','))
      throw new Damaged(
        `${path}: tensor '${name}' has shape [${t.shape.join(', ')}], the model declares [${shape.join(', ')}]`,
      );
    out.set(name, t.data);
  }
  const extra = Object.keys(tensors).filter((n) => !expected.has(n));
  if (extra.length > 0)
    throw new Damaged(`${path}: tensors the model does not have: ${extra.slice(0, 3).join(', ')}`);
  return out;
}

async function readState(dir: string): Promise<StateFile> {
  const path = join(dir, FILES.state);
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (hasCode(error, 'ENOENT')) throw new Damaged(`${path} is missing`);
    throw describeSystemError(error, path);
  }
  try {
    const state = JSON.parse(text) as StateFile;
    if (!Number.isInteger(state.step) || typeof state.files !== 'object')
      throw new Error('no step or files');
    return state;
  } catch (error) {
    throw new Damaged(`${path} is not a checkpoint state (${(error as Error).message})`);
  }
}

/** Which weights of a checkpoint to read. */
export type WeightsFile = 'ema' | 'model';

/** Path of a checkpoint's weights file (bound to eval_model.onnx as its external data). */
export const weightsPath = (ref: CheckpointRef, which: WeightsFile): string =>
  join(ref.dir, which === 'ema' ? FILES.ema : FILES.model);

/**
 * Reads and verifies one checkpoint (sizes, sha256, safetensors structure, tensor names and
 * shapes against the run). `parts` limits what is read (sampling needs one weights file).
 */
async function readCheckpoint(
  ref: CheckpointRef,
  shapes: TensorShapes,
  parts: 'all' | WeightsFile,
): Promise<CheckpointData & { readonly bytes: Partial<Record<WeightsFile, Uint8Array>> }> {
  const state = await readState(ref.dir);
  if (state.step !== ref.step)
    throw new Damaged(`${join(ref.dir, FILES.state)} records step ${state.step}, not ${ref.step}`);
  const slotShapes = new Map<string, readonly number[]>();
  for (const [name, shape] of shapes.params)
    for (const slot of shapes.slots) slotShapes.set(`${name}.${slot}`, shape);
  const empty = new Map<string, ParamArray>();
  const bytes: Partial<Record<WeightsFile, Uint8Array>> = {};
  const load = async (which: WeightsFile) => {
    const raw = await readChecked(ref.dir, FILES[which], state);
    bytes[which] = raw;
    return tensorsOf(raw, join(ref.dir, FILES[which]), shapes.params);
  };
  const params = parts === 'all' || parts === 'model' ? await load('model') : empty;
  const ema = parts === 'all' || parts === 'ema' ? await load('ema') : empty;
  const slots =
    parts === 'all'
      ? tensorsOf(
          await readChecked(ref.dir, FILES.optimizer, state),
          join(ref.dir, FILES.optimizer),
          slotShapes,
        )
      : empty;
  const bad =
    firstNonFinite(params, 'weight') ??
    firstNonFinite(ema, 'EMA weight') ??
    firstNonFinite(slots, 'optimizer moment');
  if (bad !== undefined) throw new Damaged(`${ref.dir}: ${bad}`);
  return { step: state.step, extra: state.extra ?? {}, params, slots, ema, bytes };
}

/**
 * The checkpoint to continue or sample from, read and verified: `requested` (a name such as
 * `step-00001000`) or the one LATEST names. A damaged one is refused with what is wrong and the
 * newest intact checkpoint to use instead (`--from-checkpoint <name>`).
 */
export async function loadCheckpoint(
  runDir: string,
  shapes: TensorShapes,
  options: { requested?: string; parts?: 'all' | WeightsFile } = {},
): Promise<
  | (CheckpointData & {
      readonly ref: CheckpointRef;
      readonly bytes: Partial<Record<WeightsFile, Uint8Array>>;
    })
  | undefined
> {
  const parts = options.parts ?? 'all';
  const all = await listCheckpoints(runDir);
  const wanted = options.requested ?? (await readLatestName(runDir));
  if (wanted === undefined) {
    if (all.length === 0) return undefined;
    // Checkpoints without LATEST: a crash between publishing and naming; the newest is meant.
  }
  const ref = wanted === undefined ? all[all.length - 1]! : all.find((c) => c.name === wanted);
  if (ref === undefined) {
    throw new TrainerError(
      'no_checkpoint',
      `${runDir} has no checkpoint ${wanted} (it has: ${all.map((c) => c.name).join(', ') || 'none'})`,
      { path: runDir },
    );
  }
  try {
    return { ...(await readCheckpoint(ref, shapes, parts)), ref };
  } catch (error) {
    if (!(error instanceof Damaged)) throw error;
    const intact = await newestIntact(
      all.filter((c) => c.step < ref.step),
      shapes,
      parts,
    );
    const source = options.requested === undefined ? `the latest checkpoint ${ref.name}` : ref.name;
    throw new TrainerError(
      'corrupt_checkpoint',
      `${source} is damaged (${error.message}); ${intact ? `the newest intact checkpoint is ${intact.name}: pass --from-checkpoint ${intact.name}` : 'no older intact checkpoint exists'}`,
      { path: ref.dir, cause: error },
    );
  }
}

async function newestIntact(
  candidates: readonly CheckpointRef[],
  shapes: TensorShapes,
  parts: 'all' | WeightsFile,
): Promise<CheckpointRef | undefined> {
  for (const ref of [...candidates].reverse()) {
    try {
      await readCheckpoint(ref, shapes, parts);
      return ref;
    } catch (error) {
      if (!(error instanceof Damaged)) throw error;
    }
  }
  return undefined;
}
