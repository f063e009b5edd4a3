/**
 * Run checkpoints: `checkpoints/step-<n>/` with `model.safetensors` (online weights),
 * `optimizer.safetensors` (`<p>.m`, `<p>.v`), `ema.safetensors` and `state.json` (step, data
 * iterator state), made visible by one atomic rename, then named by the atomic `checkpoints/LATEST`.
 * The previous checkpoint stays until the new one is complete, so a crash never loses both.
 */
import { mkdir, readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import { decodeSafetensors, encodeSafetensors, type ParamArray, type SafeTensor } from '@ns/graph';
import { publishFolder, writeFileAtomic, writeSynced } from './atomic.js';

export interface CheckpointData {
  readonly step: number;
  /** name → value, with shapes from `shapes`. */
  readonly params: ReadonlyMap<string, ParamArray>;
  /** `<param>.<slot>` → value. */
  readonly slots: ReadonlyMap<string, ParamArray>;
  readonly ema: ReadonlyMap<string, ParamArray>;
  readonly shapes: ReadonlyMap<string, readonly number[]>;
  /** Anything else needed to continue exactly (e.g. the data iterator's state). */
  readonly extra: Readonly<Record<string, unknown>>;
}

const stepName = (step: number) => `step-${String(step).padStart(8, '0')}`;

/** The folder the checkpoint of `step` is (or will be) published as. */
export function checkpointDir(runDir: string, step: number): string {
  return join(runDir, 'checkpoints', stepName(step));
}

function toSafetensors(
  values: ReadonlyMap<string, ParamArray>,
  shapeOf: (name: string) => readonly number[],
) {
  const out: Record<string, SafeTensor> = {};
  for (const [name, data] of values) {
    const shape = shapeOf(name);
    out[name] =
      data instanceof Float64Array
        ? { dtype: 'float64', shape, data }
        : { dtype: 'float32', shape, data };
  }
  return encodeSafetensors(out);
}

function fromSafetensors(bytes: Uint8Array): Map<string, ParamArray> {
  const { tensors } = decodeSafetensors(bytes);
  const out = new Map<string, ParamArray>();
  for (const [name, t] of Object.entries(tensors)) {
    if (t.dtype === 'int64') throw new Error(`checkpoint tensor ${name} is int64, expected float`);
    out.set(name, t.data);
  }
  return out;
}

/** Writes a checkpoint and points LATEST at it; keeps the newest `keep` checkpoints. */
export async function saveCheckpoint(
  runDir: string,
  data: CheckpointData,
  keep = 2,
): Promise<string> {
  const root = join(runDir, 'checkpoints');
  await mkdir(root, { recursive: true });
  const name = stepName(data.step);
  const temporary = join(root, `.${name}.${process.pid}.tmp`);
  await rm(temporary, { recursive: true, force: true });
  await mkdir(temporary);
  const shapeOf = (n: string) => data.shapes.get(n)!;
  const slotShape = (key: string) => data.shapes.get(key.slice(0, key.lastIndexOf('.')))!;
  await writeSynced(join(temporary, 'model.safetensors'), toSafetensors(data.params, shapeOf));
  await writeSynced(join(temporary, 'optimizer.safetensors'), toSafetensors(data.slots, slotShape));
  await writeSynced(join(temporary, 'ema.safetensors'), toSafetensors(data.ema, shapeOf));
  await writeSynced(
    join(temporary, 'state.json'),
    JSON.stringify(
      { step: data.step, shapes: Object.fromEntries(data.shapes), extra: data.extra },
      null,
      2,
    ),
  );
  const final = checkpointDir(runDir, data.step);
  await rm(final, { recursive: true, force: true }); // a re-save of the same step
  await publishFolder(temporary, final);
  await writeFileAtomic(join(root, 'LATEST'), `${name}\n`);
  const old = (await readdir(root)).filter((n) => /^step-\d{8}$/.test(n)).sort();
  for (const stale of old.slice(0, Math.max(0, old.length - keep))) {
    if (stale !== name) await rm(join(root, stale), { recursive: true, force: true });
  }
  return final;
}

/** Loads the checkpoint LATEST names, or undefined when the run has none yet. */
export async function loadLatestCheckpoint(runDir: string): Promise<CheckpointData | undefined> {
  const root = join(runDir, 'checkpoints');
  let name: string;
  try {
    name = (await readFile(join(root, 'LATEST'), 'utf8')).trim();
  } catch {
    return undefined;
  }
  const dir = join(root, name);
  const state = JSON.parse(await readFile(join(dir, 'state.json'), 'utf8')) as {
    step: number;
    shapes: Record<string, number[]>;
    extra: Record<string, unknown>;
  };
  return {
    step: state.step,
    shapes: new Map(Object.entries(state.shapes)),
    extra: state.extra,
    params: fromSafetensors(await readFile(join(dir, 'model.safetensors'))),
    slots: fromSafetensors(await readFile(join(dir, 'optimizer.safetensors'))),
    ema: fromSafetensors(await readFile(join(dir, 'ema.safetensors'))),
  };
}
