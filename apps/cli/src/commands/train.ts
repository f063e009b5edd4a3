/**
 * `ns train`: the paper's Algorithm 2 on a RIN preset and a data set, into a run folder that
 * @ns/trainer owns. A new run refuses a folder that holds one (unless --overwrite); --resume needs
 * nothing but --out (every setting comes from the run's config.json) and refuses flags that
 * disagree with it; SIGINT/SIGTERM/SIGHUP checkpoint and exit 3.
 */

import { availableParallelism, loadavg } from 'node:os';
import { datasetNames, loadDataset } from '@ns/data';
import { chooseSpinning, type Device } from '@ns/graph';
import {
  createRun,
  datasetBatches,
  EXIT_CODES_HELP,
  EXIT_INTERRUPTED,
  learningRate,
  onInterrupt,
  openRun,
  parseDecay,
  type Run,
  type RunConfig,
  rinForData,
  runConfigFromSettings,
  TrainerError,
  writeLossChart,
  writeSampleFiles,
} from '@ns/trainer';
import { type Command, Option } from 'commander';
import { ProgressBar } from '../progress.js';
import { loadWeights } from '../run/weights.js';
import { integer, learningRateValue, positiveNumber, probability } from './options.js';

export interface TrainCommandOptions {
  preset?: string;
  data?: string;
  steps?: number;
  out: string;
  batch: number;
  seed: number;
  schedule: string;
  scale: number;
  lr: number;
  warmup: number;
  decay: string;
  optimizer: 'lamb' | 'adamw';
  ema: number;
  emaWarmup: boolean;
  clipNorm?: number;
  weighting: string;
  labelDropout: number;
  selfCondRate: number;
  checkpointEvery: number;
  sampleEvery: number;
  flip: boolean;
  size?: number;
  limit?: number;
  resume?: boolean;
  overwrite?: boolean;
  fromCheckpoint?: string;
  initFrom?: string;
  stopAfter?: number;
  stepsPerRun: number;
  device: Device;
  threads?: number;
  quiet?: boolean;
}

export function addDeviceOptions(command: Command): Command {
  return command
    .addOption(
      new Option('--device <device>', 'execution provider').choices(['cpu', 'cuda']).default('cpu'),
    )
    .option('--threads <n>', 'intra-op threads (default: all cores)', integer(1));
}

/**
 * Flags that are settings of the run: with --resume each must agree with config.json. The value
 * is where the flag lives in the config (normalised as the config stores it).
 */
const SETTINGS: Record<string, (c: RunConfig) => unknown> = {
  preset: (c) => (c.model.kind === 'rin' ? c.model.preset : undefined),
  data: (c) => c.data.name,
  batch: (c) => c.batch,
  seed: (c) => c.seed,
  schedule: (c) => c.schedule,
  scale: (c) => c.inputScale,
  lr: (c) => c.lr,
  warmup: (c) => c.warmupSteps,
  decay: (c) => c.lrDecay,
  optimizer: (c) => c.optimizer,
  ema: (c) => c.emaDecay,
  emaWarmup: (c) => c.emaWarmup,
  clipNorm: (c) => c.clipNorm,
  weighting: (c) => c.weighting,
  labelDropout: (c) => c.labelDropout,
  selfCondRate: (c) => c.selfCondRate,
  checkpointEvery: (c) => c.checkpointEvery,
  flip: (c) => c.data.flip,
  size: (c) => c.data.size,
  limit: (c) => c.data.limit,
};

const flagName = (key: string) => `--${key.replace(/[A-Z]/g, (c) => `-${c.toLowerCase()}`)}`;
const normalised = (key: string, value: unknown) =>
  key === 'decay' && typeof value === 'string' ? parseDecay(value) : value;

/** The flags given on the command line that disagree with the saved config, as `--lr: saved 0.002, given 0.5`. */
function settingConflicts(
  o: TrainCommandOptions,
  given: (key: string) => boolean,
  saved: RunConfig,
): string[] {
  const conflicts: string[] = [];
  for (const [key, read] of Object.entries(SETTINGS)) {
    if (!given(key)) continue;
    const want = normalised(key, (o as unknown as Record<string, unknown>)[key]);
    const have = read(saved);
    if (want !== have)
      conflicts.push(`${flagName(key)}: saved ${String(have)}, given ${String(want)}`);
  }
  if (given('initFrom')) conflicts.push('--init-from: applies to new runs only');
  return conflicts;
}

function newRunOptions(o: TrainCommandOptions) {
  const missing = (['preset', 'data', 'steps'] as const).filter((k) => o[k] === undefined);
  if (missing.length > 0) {
    throw new TrainerError(
      'invalid_argument',
      `a new run needs ${missing.map((k) => `--${k}`).join(', ')} (or --resume to continue the run in ${o.out})`,
    );
  }
  const dataset = loadDataset(o.data!, {
    ...(o.size === undefined ? {} : { size: o.size }),
    ...(o.limit === undefined ? {} : { limit: o.limit }),
  });
  const config = runConfigFromSettings(
    {
      ...o,
      steps: o.steps!,
      inputScale: o.scale,
      ...(o.clipNorm === undefined ? {} : { clipNorm: o.clipNorm }),
    },
    rinForData(o.preset!, dataset),
    {
      dataset,
      name: o.data!,
      ...(o.size === undefined ? {} : { size: o.size }),
      ...(o.limit === undefined ? {} : { limit: o.limit }),
    },
  );
  return { dataset, config };
}

/** A warning when the EMA cannot have moved off the initialisation by the end of the run. */
function emaWarning(config: RunConfig): string | undefined {
  if (config.emaWarmup) return undefined;
  const initial = Math.exp(-config.steps * (1 - config.emaDecay));
  if (initial < 0.05) return undefined;
  return `warning: with --no-ema-warmup and --ema ${config.emaDecay}, ${(100 * initial).toFixed(0)} % of the EMA weights after ${config.steps} steps are still the initialisation (1/(1 − decay) = ${Math.round(1 / (1 - config.emaDecay))} steps); sampling from them gives noise. Keep the warm-up or lower --ema`;
}

async function extendRun(run: Run, steps: number, log: (line: string) => void): Promise<void> {
  const current = await run.step();
  const before = run.config;
  if (steps === before.steps) return;
  await run.extend(steps);
  const schedule = (c: RunConfig) => ({
    base: c.lr,
    warmupSteps: c.warmupSteps,
    totalSteps: c.steps,
    decay: parseDecay(c.lrDecay),
  });
  const next = current + 1;
  log(
    `${steps > before.steps ? 'extending' : 'shortening'} the run from ${before.steps} to ${steps} steps: the learning-rate schedule (${before.lrDecay}) is laid out over the new total, so step ${next} trains at lr ${learningRate(schedule(run.config), next).toExponential(3)} (it would have been ${learningRate(schedule(before), Math.min(next, before.steps)).toExponential(3)})`,
  );
}

export async function runTrain(
  o: TrainCommandOptions,
  given: (key: string) => boolean = (key) =>
    (o as unknown as Record<string, unknown>)[key] !== undefined,
): Promise<{ runDir: string; lastLoss: number; step: number; interrupted: boolean }> {
  const log = (line: string) => process.stderr.write(`${line}\n`);
  if (o.sampleEvery > 0 && o.sampleEvery % o.checkpointEvery !== 0) {
    // Grids are drawn from the EMA weights of the checkpoint written at that step.
    throw new TrainerError(
      'invalid_argument',
      `--sample-every (${o.sampleEvery}) must be a multiple of --checkpoint-every (${o.checkpointEvery})`,
    );
  }
  let run: Run;
  let data: ReturnType<typeof datasetBatches> | undefined;
  if (o.resume) {
    if (o.overwrite)
      throw new TrainerError('invalid_argument', '--resume and --overwrite exclude each other');
    run = await openRun(o.out, { write: true, onNotice: log });
    try {
      const conflicts = settingConflicts(o, given, run.config);
      if (conflicts.length > 0) {
        throw new TrainerError(
          'config_mismatch',
          `cannot resume ${o.out} with other settings (${conflicts.join('; ')}); leave them out to continue as saved, or start a new run`,
          { path: o.out },
        );
      }
      if (o.steps !== undefined && given('steps')) await extendRun(run, o.steps, log);
    } catch (error) {
      await run.release();
      throw error;
    }
  } else {
    if (o.fromCheckpoint !== undefined)
      throw new TrainerError('invalid_argument', '--from-checkpoint needs --resume');
    const fresh = newRunOptions(o);
    const initialWeights = o.initFrom === undefined ? undefined : await loadWeights(o.initFrom);
    run = await createRun(o.out, fresh.config, {
      ...(o.overwrite ? { overwrite: true } : {}),
      ...(initialWeights === undefined ? {} : { initialWeights }),
      onNotice: log,
    });
    data = datasetBatches(fresh.dataset, {
      batchSize: run.config.batch,
      seed: run.config.seed,
      flip: run.config.data.flip,
    });
  }
  const config = run.config;
  const warning = emaWarning(config);
  if (warning) log(warning);
  const title = `${config.model.kind === 'rin' ? (config.model.preset ?? 'rin') : 'mlp'} on ${config.data.name}`;
  const interruption = onInterrupt((signal) =>
    log(`\n${signal}: stopping after this step and saving a checkpoint (again to quit at once)`),
  );
  // Measured (tools/bench/rin/spinning.mjs): ORT's spinning threads help only a process that
  // has the cores to itself; with other work on them they cost 2–5× per step.
  const cores = availableParallelism();
  const spin = chooseSpinning({ threads: o.threads ?? cores, cores, otherLoad: loadavg()[0]! });
  if (!o.quiet) log(spin.reason);
  const startStep = await run.step();
  const total = Math.min(config.steps, o.stopAfter ?? config.steps);
  const progress = o.quiet
    ? undefined
    : new ProgressBar({ total, label: 'training', unit: 'img/s' });
  if (progress) progress.startDone = startStep;
  let last = { loss: Number.NaN, step: startStep };
  const created = !o.resume;
  try {
    for await (const r of run.train({
      ...(data === undefined ? {} : { data }),
      device: o.device,
      ...(o.threads === undefined ? {} : { threads: o.threads }),
      spinning: spin.spinning,
      ...(o.fromCheckpoint === undefined ? {} : { fromCheckpoint: o.fromCheckpoint }),
      signal: interruption.signal,
      ...(o.stopAfter === undefined ? {} : { stopAfter: o.stopAfter }),
      stepsPerRun: o.stepsPerRun,
    })) {
      last = { loss: r.loss, step: r.step };
      progress?.update(r.step, config.batch, {
        loss: r.loss.toFixed(4),
        lr: r.lr.toExponential(2),
      });
      if (o.sampleEvery > 0 && r.checkpoint && r.step % o.sampleEvery === 0) {
        const grid = await previewGrid(run, r.step, o);
        await writeLossChart(o.out, title);
        log(`\nsample grid: ${grid}`);
      }
    }
  } catch (error) {
    // A new run that failed before its first step (no CUDA provider, bad data) is not kept, so
    // the same command can simply be run again.
    if (created && last.step === 0) await run.discard().catch(() => undefined);
    throw error;
  } finally {
    interruption.dispose();
    await run.release();
  }
  if (last.step > startStep) await writeLossChart(o.out, title);
  const interrupted = interruption.received !== undefined;
  const stopped = `stopped at step ${last.step} (checkpointed); continue with \`ns train --resume --out ${o.out}\``;
  if (progress)
    progress.finish(
      interrupted ? stopped : `trained to step ${last.step}, last loss ${last.loss.toFixed(4)}`,
    );
  else if (interrupted) log(stopped);
  return { runDir: o.out, lastLoss: last.loss, step: last.step, interrupted };
}

/** 16 samples from the EMA weights of the checkpoint just written, for a look during training. */
async function previewGrid(run: Run, step: number, o: TrainCommandOptions): Promise<string> {
  const result = await run.sample({
    count: 16,
    steps: 50,
    sampler: 'ddpm',
    schedule: 'cosine',
    seed: 0,
    batch: 16,
    device: o.device,
    ...(o.threads === undefined ? {} : { threads: o.threads }),
  });
  const files = await writeSampleFiles(
    result,
    `${o.out}/samples/step-${String(step).padStart(8, '0')}`,
    {
      individual: false,
    },
  );
  return files.grid;
}

export function registerTrain(program: Command): void {
  const command = program
    .command('train')
    .description('train a RIN diffusion model (Chen 2023, Algorithm 2) into a run folder')
    .option(
      '-p, --preset <name>',
      'RIN preset (tiny, mnist, emoji, cifar10, imagenet64 …); image size, channels and classes follow the data',
    )
    .option(
      '-d, --data <name|path>',
      `data set: ${Object.keys(datasetNames()).join(', ')}, a folder of images, or an ADM .npz`,
    )
    .option(
      '-n, --steps <n>',
      'total training steps (with --resume: a larger total extends the run)',
      integer(1),
    )
    .requiredOption('-o, --out <dir>', 'run folder')
    .option('-b, --batch <n>', 'batch size', integer(1), 64)
    .option('--seed <n>', 'seed of the initialisation, data order and noise', integer(0), 0)
    .option(
      '-s, --schedule <spec>',
      'training noise schedule γ(t) (any @ns/schedules spec)',
      'simple_linear',
    )
    .option('--scale <b>', 'input scale b (see `ns schedule suggest`)', positiveNumber, 1)
    .option('--lr <lr>', 'base learning rate', learningRateValue, 2e-3)
    .option('--warmup <steps>', 'linear warm-up steps', integer(0), 0)
    .option(
      '--decay <decay>',
      "learning-rate decay after warm-up: 'cosine@r' or 'constant'",
      'cosine@0.7',
    )
    .addOption(
      new Option('--optimizer <name>', 'optimizer').choices(['lamb', 'adamw']).default('lamb'),
    )
    .option('--ema <decay>', 'EMA decay of the sampling weights', probability, 0.9999)
    .option(
      '--no-ema-warmup',
      'constant EMA decay from the first step (default: min(decay, (1 + k)/(10 + k)) at step k)',
    )
    .option('--clip-norm <c>', 'clip gradients to this global norm (default: none)', positiveNumber)
    .option(
      '--weighting <spec>',
      'loss weighting over the noise level: eps (none), min_snr@g, sigmoid@b, edm[@σ_data]',
      'eps',
    )
    .option('--label-dropout <p>', 'probability of dropping the class label', probability, 0)
    .option(
      '--self-cond-rate <p>',
      'probability of self-conditioning on the first pass latents',
      probability,
      0.9,
    )
    .option('--checkpoint-every <n>', 'steps between checkpoints', integer(1), 500)
    .option(
      '--sample-every <n>',
      'steps between sample grids (at checkpoints; 0 = off)',
      integer(0),
      0,
    )
    .option('--flip', 'random horizontal flips', false)
    .option('--size <px>', 'side length for image folders', integer(1))
    .option('--limit <n>', 'use only the first n images', integer(1))
    .option(
      '--resume',
      'continue the run in --out from its latest intact checkpoint (no other settings needed)',
    )
    .option(
      '--overwrite',
      'replace the run --out holds: its checkpoints, metrics and samples are removed first',
    )
    .option(
      '--from-checkpoint <name>',
      'with --resume: continue from this checkpoint (e.g. step-00001000)',
    )
    .option(
      '--init-from <path>',
      'start from these weights: a .safetensors file or a run folder (its EMA)',
    )
    .addOption(
      new Option('--stop-after <step>', 'stop after this step (tests)')
        .argParser(integer(1))
        .hideHelp(),
    )
    .option('-q, --quiet', 'no progress bar')
    .addHelpText(
      'after',
      `
Run folders: one writer at a time (lock.json); a new run refuses a folder that holds one unless
--overwrite; --resume takes every setting from the run's config.json and refuses flags that
differ (only a larger --steps, --threads, --device and --quiet may be given). Extending --steps
lays the learning-rate schedule out over the new total.
${EXIT_CODES_HELP}`,
    );
  addDeviceOptions(command).action(async (options: TrainCommandOptions, cmd: Command) => {
    const result = await runTrain(options, (key) => cmd.getOptionValueSource(key) === 'cli');
    process.stdout.write(`run: ${result.runDir} (step ${result.step})\n`);
    if (result.interrupted) process.exitCode = EXIT_INTERRUPTED;
  });
}
