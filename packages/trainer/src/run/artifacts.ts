/**
 * What creating a run writes once, derived from its config: training_model.onnx (the fused
 * step), eval_model.onnx (forward only, weights bound to a checkpoint file as external data) and
 * artifacts.json (parameter shapes, the step's random inputs, the memory a step needs, each
 * file's size and sha256). Opening a run reads these back and never rebuilds a graph.
 */
import { createHash } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import {
  adamw,
  buildEvalGraph,
  buildTrainingGraph,
  graphBytesPer,
  initialState,
  lamb,
  loopOverSteps,
  type ParamArray,
  Params,
  safetensorsLayout,
  serialize,
  type TrainingSpec,
  type TrainingState,
} from '@ns/graph';
import { writeFileAtomic } from '../atomic.js';
import type { RunConfig } from '../config.js';
import { TrainerError } from '../errors.js';
import { netFor } from '../model.js';
import type { DiffusionNet, RandomMaskSpec } from '../net.js';
import { denoiserModel, trainingObjective } from '../objective.js';
import { type StepInputSpec, stepInputSpec } from '../step-inputs.js';
import { hasCode } from '../system-errors.js';
import { parseWeighting } from '../weighting.js';
import { BOUND_WEIGHTS_FILE, RUN_FILES, runPath } from './layout.js';

/** artifacts.json. */
export interface ArtifactsManifest {
  readonly format: 2;
  readonly params: readonly { readonly name: string; readonly shape: readonly number[] }[];
  /** Optimizer state per parameter, e.g. ['m', 'v']. */
  readonly slots: readonly string[];
  readonly stepInputs: StepInputSpec;
  /** Latents per example (RIN: [latents, latentDim]). */
  readonly latentShape: readonly number[];
  /** Sum of the training graph's tensors: fixed + perExample·batch bytes (an upper bound). */
  readonly graphBytes: { readonly fixed: number; readonly perExample: number };
  readonly files: Readonly<Record<string, { readonly bytes: number; readonly sha256: string }>>;
}

/**
 * Clipping at float32's largest value is no clipping at all, yet makes the graph output the global
 * gradient norm, which metrics.jsonl records.
 */
const NO_CLIP = 3e38;

export function trainingSpec(net: DiffusionNet, config: RunConfig): TrainingSpec {
  const optimizerOptions = {
    beta1: config.beta1,
    beta2: config.beta2,
    weightDecay: config.weightDecay,
  };
  return {
    model: trainingObjective(net, {
      inputScale: config.inputScale,
      weighting: parseWeighting(config.weighting),
    }),
    params: new Params({ seed: config.seed, dtype: 'float32' }),
    optimizer: config.optimizer === 'lamb' ? lamb(optimizerOptions) : adamw(optimizerOptions),
    clipNorm: config.clipNorm ?? NO_CLIP,
    emaDecay: config.emaDecay,
    emaWarmup: config.emaWarmup,
  };
}

const sha256 = (bytes: Uint8Array) => createHash('sha256').update(bytes).digest('hex');

export interface BuiltArtifacts {
  readonly manifest: ArtifactsManifest;
  readonly files: ReadonlyMap<string, Uint8Array>;
  /** The seeded initial weights and a fresh optimizer state and EMA (the step-0 checkpoint). */
  readonly initial: { params: Map<string, ParamArray>; state: TrainingState };
}

/** Builds the graphs of `config` and serialises them (nothing is written). */
export function buildArtifacts(config: RunConfig): BuiltArtifacts {
  const net = netFor(config.model);
  const spec = trainingSpec(net, config);
  const training = buildTrainingGraph(spec); // declares every parameter in spec.params
  const params = spec.params.list().map((p) => ({ name: p.name, shape: [...p.shape] as number[] }));
  const names = params.map((p) => p.name);
  const layout = safetensorsLayout(
    Object.fromEntries(params.map((p) => [p.name, { dtype: 'float32' as const, shape: p.shape }])),
  );
  const evalGraph = buildEvalGraph(denoiserModel(net), spec.params);
  const files = new Map<string, Uint8Array>([
    [RUN_FILES.trainingModel, serialize(training, { producerName: '@ns/trainer' }).model],
    [
      RUN_FILES.trainingLoopModel,
      serialize(loopOverSteps(training), { producerName: '@ns/trainer' }).model,
    ],
    [
      RUN_FILES.evalModel,
      serialize(evalGraph, {
        producerName: '@ns/trainer',
        boundInitializers: { file: BOUND_WEIGHTS_FILE, layout },
      }).model,
    ],
  ]);
  const perBatch = graphBytesPer(training, 'batch');
  const manifest: ArtifactsManifest = {
    format: 2,
    params,
    slots: [...spec.optimizer.slots],
    stepInputs: stepInputSpec(net),
    latentShape: [...net.latentShape],
    graphBytes: { fixed: perBatch.fixed, perExample: perBatch.perUnit },
    files: Object.fromEntries(
      [...files].map(([name, bytes]) => [name, { bytes: bytes.byteLength, sha256: sha256(bytes) }]),
    ),
  };
  const initial = {
    params: new Map(names.map((n) => [n, spec.params.value(n)] as const)),
    state: initialState(spec, names),
  };
  return { manifest, files, initial };
}

/** Writes the built artifacts and artifacts.json into `dir`. */
export async function writeArtifacts(dir: string, built: BuiltArtifacts): Promise<void> {
  for (const [name, bytes] of built.files) await writeFileAtomic(`${dir}/${name}`, bytes);
  await writeFileAtomic(runPath(dir, 'artifacts'), `${JSON.stringify(built.manifest, null, 2)}\n`);
}

/** Reads artifacts.json and checks that the model files it lists are there, whole. */
export async function readArtifacts(dir: string): Promise<ArtifactsManifest> {
  const path = runPath(dir, 'artifacts');
  let manifest: ArtifactsManifest;
  try {
    manifest = JSON.parse(await readFile(path, 'utf8')) as ArtifactsManifest;
  } catch (error) {
    const why = hasCode(error, 'ENOENT')
      ? 'is missing'
      : `is not valid JSON (${(error as Error).message})`;
    throw new TrainerError('corrupt_checkpoint', `${path} ${why}`, { path });
  }
  for (const [file, expected] of Object.entries(manifest.files ?? {})) {
    const filePath = `${dir}/${file}`;
    let bytes: Uint8Array;
    try {
      bytes = await readFile(filePath);
    } catch {
      throw new TrainerError(
        'corrupt_checkpoint',
        `${filePath} is missing (artifacts.json lists it)`,
        {
          path: filePath,
        },
      );
    }
    if (bytes.byteLength !== expected.bytes || sha256(bytes) !== expected.sha256) {
      throw new TrainerError(
        'corrupt_checkpoint',
        `${filePath} is damaged: its size or sha256 differs from artifacts.json`,
        { path: filePath },
      );
    }
  }
  return manifest;
}

/** The training step's random mask inputs, as artifacts.json records them. */
export type { RandomMaskSpec };
