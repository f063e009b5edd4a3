/**
 * A run is a folder of artifacts (see layout.ts), and `Run` is the one way to make or use one:
 * `createRun(dir, config)` writes config.json, the ONNX artifacts and the step-0 checkpoint once;
 * `openRun(dir)` reads them back (and never rebuilds a graph); `run.train(…)` continues from the
 * latest intact checkpoint; `run.sample(…)` runs eval_model.onnx on a checkpoint's weights.
 * A run opened for writing holds the folder's lock until `release()`.
 */
import { readdir, readFile, rm } from 'node:fs/promises';
import { join } from 'node:path';
import type { ParamArray } from '@ns/graph';
import { writeFileAtomic } from '../atomic.js';
import {
  completeRunConfig,
  type NewRunConfig,
  parseRunConfig,
  RUN_FORMAT,
  type RunConfig,
  TRAINER_VERSION,
} from '../config.js';
import { TrainerError } from '../errors.js';
import { describeSystemError, hasCode } from '../system-errors.js';
import {
  type ArtifactsManifest,
  buildArtifacts,
  readArtifacts,
  writeArtifacts,
} from './artifacts.js';
import {
  type CheckpointData,
  type CheckpointRef,
  listCheckpoints,
  loadCheckpoint,
  readLatestName,
  saveCheckpoint,
  type TensorShapes,
} from './checkpoint.js';
import { RUN_FILES, RUN_OUTPUTS, runPath } from './layout.js';
import { type LockOptions, RunLock } from './lock.js';
import { assertBatchFits } from './memory.js';
import {
  type EvalSession,
  type EvalSessionOptions,
  openEvalSession,
  type SampleOptions,
  type SampleResult,
  sampleRun,
} from './sample.js';
import { type StepRecord, type TrainRunOptions, trainRun } from './train.js';

export interface RunOptions {
  /** Told about recoveries: a stale lock taken over, leftovers removed, a cut metrics line. */
  readonly onNotice?: (message: string) => void;
  readonly lock?: LockOptions;
}

export interface CreateRunOptions extends RunOptions {
  /** Replace a run the folder already holds: its checkpoints, metrics and samples are removed. */
  readonly overwrite?: boolean;
  /**
   * Start from these weights instead of the seeded initialisation (fine-tuning shipped weights).
   * Every parameter must be present with its size; the EMA starts from them too.
   */
  readonly initialWeights?: ReadonlyMap<string, ParamArray>;
  /** Check the batch against the machine's memory first (default true). */
  readonly checkMemory?: boolean;
}

export interface OpenRunOptions extends RunOptions {
  /** Take the lock and tidy leftovers, to train (default false: read-only, e.g. sampling). */
  readonly write?: boolean;
}

/** Does `dir` hold a run (a config.json)? Its latest step, or undefined. */
export async function runStep(dir: string): Promise<number | undefined> {
  try {
    await readFile(runPath(dir, 'config'));
  } catch (error) {
    if (hasCode(error, 'ENOENT') || hasCode(error, 'ENOTDIR')) return undefined;
    throw error;
  }
  const latest = await readLatestName(dir).catch(() => undefined);
  const all = await listCheckpoints(dir).catch(() => []);
  const named = all.find((c) => c.name === latest) ?? all[all.length - 1];
  return named?.step ?? 0;
}

async function readConfigJson(dir: string): Promise<unknown> {
  const path = runPath(dir, 'config');
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if (hasCode(error, 'ENOENT'))
      throw new TrainerError(
        'not_a_run',
        `${dir} is not a run folder (no config.json); make one with \`ns train\``,
        { path: dir },
      );
    throw describeSystemError(error, path, 'cannot read the run config');
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new TrainerError(
      'invalid_config',
      `${path} is not valid JSON (${(error as Error).message})`,
      {
        path,
      },
    );
  }
}

function checkFormat(dir: string, json: unknown): void {
  const raw = json as { format?: unknown; createdBy?: unknown };
  if (raw?.format === RUN_FORMAT) return;
  const made =
    raw?.format === undefined
      ? 'an earlier version of @ns/trainer (run format 1, before config.json had a `format`)'
      : `${typeof raw.createdBy === 'string' ? raw.createdBy : 'an unknown version'} (run format ${String(raw.format)})`;
  throw new TrainerError(
    'incompatible_run',
    `${dir} was made by ${made}; this is @ns/trainer@${TRAINER_VERSION} (run format ${RUN_FORMAT}), which cannot open it: retrain it, or use the version that made it`,
    { path: dir },
  );
}

/** Temporary files of interrupted writes, in the run folder and its checkpoints folder. */
async function removeLeftovers(dir: string, onNotice: (m: string) => void): Promise<void> {
  for (const folder of [dir, join(dir, RUN_FILES.checkpoints)]) {
    let names: string[];
    try {
      names = await readdir(folder);
    } catch {
      continue;
    }
    for (const name of names.filter((n) => n.startsWith('.') && n.endsWith('.tmp'))) {
      await rm(join(folder, name), { recursive: true, force: true });
      onNotice(`${join(folder, name)}: removed the leftover of an interrupted write`);
    }
  }
}

export class Run {
  private constructor(
    readonly dir: string,
    private currentConfig: RunConfig,
    readonly manifest: ArtifactsManifest,
    private readonly lock: RunLock | undefined,
    private readonly onNotice: (message: string) => void,
  ) {}

  /** The run's configuration (config.json). */
  get config(): RunConfig {
    return this.currentConfig;
  }

  /** Parameter shapes and optimizer slots every checkpoint of this run holds. */
  get shapes(): TensorShapes {
    return {
      params: new Map(this.manifest.params.map((p) => [p.name, p.shape] as const)),
      slots: this.manifest.slots,
    };
  }

  /** Whether this process holds the run's lock (opened for writing). */
  get writable(): boolean {
    return this.lock !== undefined;
  }

  /** The lease, when writable: `lock.lost` tells that another host took it over. */
  get runLock(): RunLock | undefined {
    return this.lock;
  }

  static async create(
    dir: string,
    given: NewRunConfig,
    options: CreateRunOptions = {},
  ): Promise<Run> {
    const onNotice = options.onNotice ?? (() => undefined);
    const config = completeRunConfig(given, 'run config');
    const existing = await runStep(dir);
    if (existing !== undefined && !options.overwrite) {
      throw new TrainerError(
        'run_exists',
        `${dir} already holds a run at step ${existing}: pass --resume to continue it, or --overwrite to start over`,
        { path: dir },
      );
    }
    const built = buildArtifacts(config);
    if (options.checkMemory ?? true) assertBatchFits(built.manifest, config.batch);
    const initial = initialCheckpoint(built.initial, options.initialWeights, built.manifest);
    const lock = await RunLock.acquire(dir, { purpose: 'training', ...options.lock, onNotice });
    try {
      if (existing !== undefined) {
        // --overwrite: nothing of the old run may survive into the new one (a stale LATEST would
        // make a later resume mix the two).
        for (const name of RUN_OUTPUTS) await rm(join(dir, name), { recursive: true, force: true });
        onNotice(`${dir}: removed the run that was at step ${existing} (--overwrite)`);
      }
      await removeLeftovers(dir, onNotice);
      await writeArtifacts(dir, built);
      const run = new Run(dir, config, built.manifest, lock, onNotice);
      await saveCheckpoint(dir, { ...initial, step: 0, extra: {} }, run.shapes);
      await writeFileAtomic(runPath(dir, 'metrics'), '');
      // config.json last: a folder is a run once it has one, so a crash above leaves no half run.
      await writeFileAtomic(runPath(dir, 'config'), `${JSON.stringify(config, null, 2)}\n`);
      return run;
    } catch (error) {
      await lock.release();
      throw error;
    }
  }

  static async open(dir: string, options: OpenRunOptions = {}): Promise<Run> {
    const onNotice = options.onNotice ?? (() => undefined);
    const json = await readConfigJson(dir);
    checkFormat(dir, json);
    const config = parseRunConfig(json, runPath(dir, 'config'));
    const manifest = await readArtifacts(dir);
    const lock = options.write
      ? await RunLock.acquire(dir, { purpose: 'training', ...options.lock, onNotice })
      : undefined;
    if (lock) await removeLeftovers(dir, onNotice);
    return new Run(dir, config, manifest, lock, onNotice);
  }

  /** Published checkpoints, oldest first. */
  checkpoints(): Promise<CheckpointRef[]> {
    return listCheckpoints(this.dir);
  }

  /** The step of the checkpoint training would continue from (LATEST). */
  async step(): Promise<number> {
    return (await runStep(this.dir)) ?? 0;
  }

  /**
   * Sets a new total number of steps (the one setting a resumed run may change). The
   * learning-rate schedule is re-laid over the new total (`learningRate` reads `steps`): a decay
   * continues from where the new total puts the current step, as the CLI's --steps message says.
   */
  async extend(steps: number): Promise<void> {
    this.requireWritable('extend');
    const current = await this.step();
    if (!(Number.isInteger(steps) && steps > current)) {
      throw new TrainerError(
        'config_mismatch',
        `--steps ${steps} is not beyond the run's current step ${current}: give a larger total to extend it`,
        { path: this.dir },
      );
    }
    const config = parseRunConfig({ ...this.currentConfig, steps }, 'extended config');
    await writeFileAtomic(runPath(this.dir, 'config'), `${JSON.stringify(config, null, 2)}\n`);
    this.currentConfig = config;
  }

  /** Trains from the latest intact checkpoint (or `fromCheckpoint`) to `config.steps`. */
  train(options: TrainRunOptions = {}): AsyncGenerator<StepRecord, void, undefined> {
    this.requireWritable('train');
    return trainRun(this, this.lock!, options, this.onNotice);
  }

  /** A session over eval_model.onnx with a checkpoint's weights bound to it (no export). */
  openEvalSession(options: EvalSessionOptions = {}): Promise<EvalSession> {
    return openEvalSession(this, options);
  }

  /** Samples with eval_model.onnx on a checkpoint's EMA (or online) weights. */
  sample(options: SampleOptions): Promise<SampleResult> {
    return sampleRun(this, options);
  }

  /**
   * Removes a run that never trained (step 0), with its lock: what a first `ns train` that failed
   * before its first step (e.g. no CUDA provider) leaves, so the same command can be run again.
   */
  async discard(): Promise<void> {
    this.requireWritable('discard');
    if ((await this.step()) !== 0)
      throw new TrainerError(
        'invalid_argument',
        `Run.discard: ${this.dir} has trained steps; not removing it`,
      );
    for (const name of RUN_OUTPUTS)
      await rm(join(this.dir, name), { recursive: true, force: true });
    await this.release();
  }

  /** Gives up the lock (if held). */
  async release(): Promise<void> {
    await this.lock?.release();
  }

  private requireWritable(what: string): void {
    if (!this.lock) {
      throw new TrainerError(
        'invalid_argument',
        `Run.${what}: ${this.dir} was opened read-only; open it with { write: true }`,
      );
    }
  }

  /** Publishes a checkpoint of this run (see saveCheckpoint). */
  saveCheckpointOf(data: CheckpointData): Promise<CheckpointRef> {
    this.requireWritable('saveCheckpoint');
    return saveCheckpoint(this.dir, data, this.shapes);
  }

  /** Reads and verifies a checkpoint of this run (LATEST, or `requested`). */
  loadCheckpoint(options: Parameters<typeof loadCheckpoint>[2] = {}) {
    return loadCheckpoint(this.dir, this.shapes, options);
  }
}

function initialCheckpoint(
  initial: ReturnType<typeof buildArtifacts>['initial'],
  weights: ReadonlyMap<string, ParamArray> | undefined,
  manifest: ArtifactsManifest,
) {
  if (weights === undefined) {
    return { params: initial.params, slots: initial.state.slots, ema: initial.state.ema };
  }
  const missing = manifest.params.filter((p) => !weights.has(p.name)).map((p) => p.name);
  if (missing.length > 0) {
    throw new TrainerError(
      'invalid_argument',
      `initial weights lack ${missing.length} parameters of this model (e.g. ${missing.slice(0, 3).join(', ')}); were they trained with the same preset and data geometry?`,
    );
  }
  const params = new Map<string, ParamArray>();
  for (const p of manifest.params) {
    const value = weights.get(p.name)!;
    const size = p.shape.reduce((a, d) => a * d, 1);
    if (value.length !== size) {
      throw new TrainerError(
        'invalid_argument',
        `initial weight '${p.name}' has ${value.length} values, the model's shape [${p.shape.join(', ')}] needs ${size}`,
      );
    }
    params.set(p.name, Float32Array.from(value));
  }
  const ema = new Map([...params].map(([n, v]) => [n, Float32Array.from(v)] as const));
  return { params, slots: initial.state.slots, ema };
}

export const createRun = Run.create.bind(Run);
export const openRun = Run.open.bind(Run);
