/**
 * The RIN denoiser as a graph, exactly as P2S `ImageTapeDenoiser` (spec §5.2):
 *
 *   x  → x/std(x) → patchify (i, j, c) → Dense → LN → + pos-emb           interface X [B, n, d]
 *   γ  → posenc(1000·γ, D/4) → standardise → Dense → SiLU → Dense           time token
 *   label·mask → Dense                                                      class token
 *   Z = [learned latents, time, class] + LN₀(Z' + FFN(LN(Z')))             latents [B, L, D]
 *   per block: read, K × process, write;  readout LN → Dense → unpatchify   prediction [B, H, W, C]
 *
 * Outputs the prediction and the full latents Z (the next step's `latentsPrev`).
 */
import {
  add,
  concat,
  cos,
  Graph,
  gather,
  type InputSpec,
  init,
  layerNorm,
  type ModelDefinition,
  mul,
  nn,
  Params,
  patchify,
  reshape,
  Scope,
  silu,
  sin,
  type Tensor,
  unpatchify,
} from '@ns/graph';
import {
  crossAttentionDim,
  interfaceTokens,
  learnedLatents,
  parseRinConfig,
  type RinConfig,
} from './config.js';
import { paramCount } from './count.js';
import { type MaskSource, randomMasks } from './dropout.js';
import { RinError } from './errors.js';
import { normalizeVariance, standardizeLast, tileOverBatch } from './internal/ops.js';
import { crossUnit, LN_EPSILON, processLayer, type Regularization, residualMlp } from './units.js';

/** P2S `time_scaling`: γ ∈ [0, 1] is multiplied by 1000 before the sinusoid. */
export const TIME_SCALING = 1000;

export interface RinInputs {
  /** Noisy image [B, H, W, C] (normalised inside the graph). */
  readonly x: Tensor;
  /** Noise level γ per example [B]. */
  readonly gamma: Tensor;
  /** Class ids, int64 [B] (conditional models only). */
  readonly labels?: Tensor;
  /** 1 keeps the label, 0 drops it (label dropout, classifier-free guidance) [B]. */
  readonly labelMask?: Tensor;
  /** Previous latents [B, L, D] (latent self-conditioning only; zeros on the first step). */
  readonly latentsPrev?: Tensor;
}

export interface RinOutputs {
  /** ε̂ (or x̂, v̂ per `config.predict`) [B, H, W, C]. */
  readonly prediction: Tensor;
  /** The full latents [B, L, D], time and class tokens included. */
  readonly latents: Tensor;
}

export interface ForwardOptions {
  /** Training mode: dropout and drop-path on in the process layers (when their rates are > 0). */
  readonly train?: boolean;
  /** Where training masks come from; default `randomMasks()` (drawn in the graph). */
  readonly masks?: MaskSource;
}

/** The sinusoid features posenc(p, dim): sines of the even-index angles, then cosines. */
function timeFeatures(gammaScaled: Tensor, dim: number): Tensor {
  const half = dim / 2;
  const freqs = Array.from({ length: half }, (_, k) => 10000 ** ((-2 * k) / dim));
  const g = gammaScaled.graph;
  const angles = mul(gammaScaled, g.constant(freqs, gammaScaled.dtype, [1, half]));
  return concat([sin(angles), cos(angles)], -1);
}

function checkInput(name: string, t: Tensor | undefined, want: boolean, why: string): void {
  if (want !== (t !== undefined)) {
    throw new RinError(
      'invalid_input',
      `rin.forward: input '${name}' ${want ? 'is required' : 'must be absent'} (${why})`,
    );
  }
}

export interface RinModel {
  readonly config: RinConfig;
  readonly paramCount: number;
  /** Graph inputs of the forward pass (batch dimension symbolic, named 'batch'). */
  readonly inputs: Readonly<Record<string, InputSpec>>;
  /** Build the forward pass into `scope`'s graph. */
  forward(scope: Scope, inputs: RinInputs, options?: ForwardOptions): RinOutputs;
  /** The eval forward pass as a @ns/graph model (outputs `prediction` and `latents`). */
  definition(): ModelDefinition;
  /** A parameter registry initialised as the reference does (seeded by name). */
  createParams(options?: { seed?: number; dtype?: 'float32' | 'float64' }): Params;
}

/** A RIN for `config` (validated; throws RinError('invalid_config') listing every issue). */
export function rin(config: RinConfig): RinModel {
  const c = parseRinConfig(config);
  const { imageSize: H, channels: C, patchSize: p, interfaceDim: d, latentDim: D } = c;
  const conditional = c.numClasses > 0;
  const selfCond = c.selfCondition === 'latent';
  const inputs: Record<string, InputSpec> = {
    x: { shape: ['batch', H, H, C] },
    gamma: { shape: ['batch'] },
  };
  if (conditional) {
    inputs.labels = { shape: ['batch'], dtype: 'int64' };
    inputs.labelMask = { shape: ['batch'] };
  }
  if (selfCond) inputs.latentsPrev = { shape: ['batch', c.latents, D] };

  function forward(scope: Scope, io: RinInputs, options: ForwardOptions = {}): RinOutputs {
    const classes = `numClasses = ${c.numClasses}`;
    checkInput('labels', io.labels, conditional, classes);
    checkInput('labelMask', io.labelMask, conditional, classes);
    checkInput('latentsPrev', io.latentsPrev, selfCond, `selfCondition = "${c.selfCondition}"`);
    const B = io.x.shape[0]!;
    const reg: Regularization | undefined =
      options.train && (c.dropout > 0 || c.dropPath > 0)
        ? { masks: options.masks ?? randomMasks(), dropout: c.dropout, dropPath: c.dropPath }
        : undefined;

    // 1. Interface: stem on (i, j, c)-ordered patches, LN, then the learned position embedding.
    const stem = scope.child('stem');
    const patches = patchify(normalizeVariance(io.x), p);
    const tokens = nn.layerNorm(stem.child('ln'), nn.linear(stem, patches, d), {
      epsilon: LN_EPSILON,
    });
    let X = add(
      tokens,
      scope.param('interface_pos_emb', [interfaceTokens(c), d], init.truncatedNormal(0.02)),
    );

    // 2. Time token from γ.
    const te = scope.child('time_emb');
    const features = standardizeLast(
      timeFeatures(mul(reshape(io.gamma, [B, 1]), TIME_SCALING), D / 4),
    );
    const time = nn.linear(te.child('dense1'), silu(nn.linear(te.child('dense0'), features, D)), D);
    const slots: Tensor[] = [
      tileOverBatch(
        scope.param('latent_pos_emb', [learnedLatents(c), D], init.truncatedNormal(0.02)),
        io.x,
      ),
      reshape(time, [B, 1, D]),
    ];

    // 3. Class token: Dense(one_hot(label)·mask) = mask·W[label] + b.
    if (conditional) {
      const ce = scope.child('class_emb');
      const W = ce.param('kernel', [c.numClasses, D], init.glorotUniform());
      const picked = mul(gather(W, io.labels!), reshape(io.labelMask!, [B, 1]));
      slots.push(reshape(add(picked, ce.param('bias', [D], init.zeros())), [B, 1, D]));
    }
    let Z = concat(slots, 1);

    // 4. Latent self-conditioning: Z += LN₀(Z' + FFN(LN(Z'))), LN₀'s scale starts at zero.
    if (selfCond) {
      const sc = scope.child('self_cond');
      const h = residualMlp(sc, io.latentsPrev!, c.latentMlpRatio);
      const out = sc.child('ln_out');
      Z = add(
        Z,
        layerNorm(
          h,
          out.param('gamma', [D], init.zeros()),
          out.param('beta', [D], init.zeros()),
          LN_EPSILON,
        ),
      );
    }

    // 5. Blocks: read, process × K, write.
    const k = crossAttentionDim(c);
    c.blocks.forEach((K, i) => {
      const block = scope.child(`block${i}`);
      Z = crossUnit(block.child('read'), Z, X, {
        heads: c.rwHeads,
        dim: k,
        mlpRatio: c.latentMlpRatio,
      });
      for (let l = 0; l < K; l++) {
        Z = processLayer(
          block.child('process').child(`layer${l}`),
          Z,
          { heads: c.latentHeads, mlpRatio: c.latentMlpRatio },
          reg,
        );
      }
      X = crossUnit(block.child('write'), X, Z, {
        heads: c.rwHeads,
        dim: k,
        mlpRatio: c.interfaceMlpRatio,
      });
    });

    // 6. Readout: LN → Dense → unpatchify in the same (i, j, c) order.
    const ro = scope.child('readout');
    const pixels = nn.linear(
      ro,
      nn.layerNorm(ro.child('ln'), X, { epsilon: LN_EPSILON }),
      p * p * C,
    );
    return { prediction: unpatchify(pixels, p, H, H), latents: Z };
  }

  return {
    config: c,
    paramCount: paramCount(c),
    inputs,
    forward,
    definition: () => ({
      inputs,
      build(scope, t) {
        const out = forward(scope, {
          x: t.x!,
          gamma: t.gamma!,
          labels: t.labels,
          labelMask: t.labelMask,
          latentsPrev: t.latentsPrev,
        });
        return { outputs: { prediction: out.prediction, latents: out.latents } };
      },
    }),
    createParams(options = {}) {
      const dtype = options.dtype ?? 'float32';
      const params = new Params({ seed: options.seed ?? 0, dtype });
      // Declare (and initialise) every parameter by building the forward pass once, unused.
      const g = new Graph({ dtype });
      const io = declareInputs(g, inputs);
      forward(new Scope(g, params, 'inputs'), io as unknown as RinInputs);
      return params;
    },
  };
}

/** Graph inputs for `specs`, in order. */
export function declareInputs(
  g: Graph,
  specs: Readonly<Record<string, InputSpec>>,
): Record<string, Tensor> {
  return Object.fromEntries(
    Object.entries(specs).map(([name, s]) => [name, g.input(name, s.shape, s.dtype ?? g.dtype)]),
  );
}
