/**
 * The RIN configuration: plain JSON data, validated in one place. Names follow the paper
 * (interface, latents); the Pix2Seq names are given beside each key (spec §5.1–§5.2).
 */
import { formatIssues, type RinConfigIssue, RinError } from './errors.js';

export type SelfCondition = 'latent' | 'none';
export type Prediction = 'eps' | 'x' | 'v';

export interface RinConfig {
  /** Square image side H = W in pixels. */
  readonly imageSize: number;
  /** Image channels C (3 for RGB, 1 for grey). */
  readonly channels: number;
  /** Patch side p; the interface has (H/p)² tokens. */
  readonly patchSize: number;
  /** Interface (tape) width d — P2S `tape_dim`. */
  readonly interfaceDim: number;
  /** Latent tokens in total, time and class tokens included — P2S `latent_slots`. */
  readonly latents: number;
  /** Latent width D — P2S `latent_dim`. */
  readonly latentDim: number;
  /** Process (latent self-attention) layers per RIN block — P2S `num_layers`. */
  readonly blocks: readonly number[];
  /** Heads of the latent self-attention — P2S `latent_num_heads`. */
  readonly latentHeads: number;
  /** Heads of the read/write cross-attention — P2S `rw_num_heads`. */
  readonly rwHeads: number;
  /** MLP width ratio on the latents (read and process units). */
  readonly latentMlpRatio: number;
  /** MLP width ratio of the write unit on the interface; 0 = no write MLP — P2S `tape_mlp_ratio`. */
  readonly interfaceMlpRatio: number;
  /** Number of classes; 0 = unconditional (no class token). */
  readonly numClasses: number;
  /** Dropout after the MLP activation in process layers — P2S `drop_units`. */
  readonly dropout: number;
  /** Stochastic depth on process-layer residual branches — P2S `drop_path`. */
  readonly dropPath: number;
  /** `latent`: latent self-conditioning (an extra `latentsPrev` input); `none`: off. */
  readonly selfCondition: SelfCondition;
  /** What the network output means (used by trainer and sampler; the graph is the same). */
  readonly predict: Prediction;
}

export const CONFIG_KEYS = [
  'imageSize',
  'channels',
  'patchSize',
  'interfaceDim',
  'latents',
  'latentDim',
  'blocks',
  'latentHeads',
  'rwHeads',
  'latentMlpRatio',
  'interfaceMlpRatio',
  'numClasses',
  'dropout',
  'dropPath',
  'selfCondition',
  'predict',
] as const satisfies readonly (keyof RinConfig)[];

export type ParseResult =
  | { readonly success: true; readonly data: RinConfig }
  | { readonly success: false; readonly issues: readonly RinConfigIssue[] };

const show = (v: unknown): string => {
  if (typeof v === 'string') return JSON.stringify(v);
  if (v === undefined) return 'undefined';
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
};

/** Validate `json` (any parsed JSON value) as a RinConfig; never throws. */
export function safeParseRinConfig(json: unknown): ParseResult {
  const issues: RinConfigIssue[] = [];
  const add = (code: RinConfigIssue['code'], path: string, expected: string, got: unknown) =>
    issues.push({ code, path, expected, got: show(got) });
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    add('invalid_type', '', 'an object with the RIN config keys', json);
    return { success: false, issues };
  }
  const o = json as Record<string, unknown>;
  for (const k of Object.keys(o)) {
    if (!(CONFIG_KEYS as readonly string[]).includes(k)) {
      add('unknown_key', k, `one of ${CONFIG_KEYS.join(', ')}`, k);
    }
  }
  for (const k of CONFIG_KEYS) if (!(k in o)) add('missing_key', k, 'a value', undefined);

  const int = (k: string, min: number): number | undefined => {
    const v = o[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isInteger(v)) add('invalid_type', k, 'an integer', v);
    else if (v < min) add('out_of_range', k, `an integer ≥ ${min}`, v);
    else return v;
    return undefined;
  };
  const real = (k: string, lo: number, hi: number, hiOpen: boolean): number | undefined => {
    const v = o[k];
    if (v === undefined) return undefined;
    if (typeof v !== 'number' || !Number.isFinite(v)) add('invalid_type', k, 'a number', v);
    else if (v < lo || (hiOpen ? v >= hi : v > hi))
      add('out_of_range', k, `a number in [${lo}, ${hi}${hiOpen ? ')' : ']'}`, v);
    else return v;
    return undefined;
  };
  const oneOf = (k: string, choices: readonly string[]): void => {
    const v = o[k];
    if (v !== undefined && !choices.includes(v as string))
      add('invalid_type', k, `one of ${choices.map((c) => `"${c}"`).join(', ')}`, v);
  };

  const imageSize = int('imageSize', 1);
  int('channels', 1);
  const patchSize = int('patchSize', 1);
  const d = int('interfaceDim', 1);
  const latents = int('latents', 2);
  const D = int('latentDim', 8);
  const latentHeads = int('latentHeads', 1);
  const rwHeads = int('rwHeads', 1);
  const latentMlpRatio = real('latentMlpRatio', 0, Number.POSITIVE_INFINITY, true);
  const interfaceMlpRatio = real('interfaceMlpRatio', 0, Number.POSITIVE_INFINITY, true);
  const numClasses = int('numClasses', 0);
  real('dropout', 0, 1, true);
  real('dropPath', 0, 1, true);
  oneOf('selfCondition', ['latent', 'none']);
  oneOf('predict', ['eps', 'x', 'v']);

  const blocks = o['blocks'];
  if (blocks !== undefined) {
    if (!Array.isArray(blocks) || blocks.length === 0)
      add('invalid_type', 'blocks', 'a non-empty array of process-layer counts', blocks);
    else
      blocks.forEach((b, i) => {
        if (typeof b !== 'number' || !Number.isInteger(b) || b < 0)
          add('invalid_type', `blocks.${i}`, 'an integer ≥ 0', b);
      });
  }

  // Relations between keys (only when both sides are individually valid).
  if (imageSize !== undefined && patchSize !== undefined && imageSize % patchSize !== 0)
    add('not_divisible', 'imageSize', `a multiple of patchSize ${patchSize}`, imageSize);
  if (D !== undefined && D % 8 !== 0)
    // The time embedding has D/4 features split into sine and cosine halves.
    add('not_divisible', 'latentDim', 'a multiple of 8 (time embedding of D/4 = 2·k features)', D);
  if (D !== undefined && latentHeads !== undefined && D % latentHeads !== 0)
    add('not_divisible', 'latentHeads', `a divisor of latentDim ${D}`, latentHeads);
  if (D !== undefined && d !== undefined && rwHeads !== undefined) {
    const w = Math.min(d, D);
    if (w % rwHeads !== 0)
      add('not_divisible', 'rwHeads', `a divisor of min(interfaceDim, latentDim) = ${w}`, rwHeads);
  }
  if (D !== undefined && latentMlpRatio !== undefined) {
    if (latentMlpRatio === 0) add('out_of_range', 'latentMlpRatio', 'a number > 0', 0);
    else if (!Number.isInteger(D * latentMlpRatio))
      add(
        'not_divisible',
        'latentMlpRatio',
        `r with latentDim·r an integer (D = ${D})`,
        latentMlpRatio,
      );
  }
  if (
    d !== undefined &&
    interfaceMlpRatio !== undefined &&
    !Number.isInteger(d * interfaceMlpRatio)
  )
    add(
      'not_divisible',
      'interfaceMlpRatio',
      `r with interfaceDim·r an integer (d = ${d})`,
      interfaceMlpRatio,
    );
  if (latents !== undefined && numClasses !== undefined) {
    const reserved = 1 + (numClasses > 0 ? 1 : 0);
    if (latents - reserved < 1)
      add(
        'out_of_range',
        'latents',
        `at least ${reserved + 1} (${reserved} conditioning token${reserved > 1 ? 's' : ''} + ≥ 1 learned latent)`,
        latents,
      );
  }
  if (issues.length > 0) return { success: false, issues };
  const c = o as unknown as RinConfig;
  // A fresh object with the keys in canonical order and a copied blocks array.
  const data = Object.fromEntries(
    CONFIG_KEYS.map((k) => [k, k === 'blocks' ? [...c.blocks] : c[k]]),
  ) as unknown as RinConfig;
  return { success: true, data };
}

/** Validate and return the config; throws a `RinError('invalid_config')` listing every issue. */
export function parseRinConfig(json: unknown): RinConfig {
  const r = safeParseRinConfig(json);
  if (!r.success) {
    throw new RinError(
      'invalid_config',
      `invalid RIN config:\n${formatIssues(r.issues)}`,
      r.issues,
    );
  }
  return r.data;
}

/** Number of interface tokens n = (H/p)². */
export function interfaceTokens(c: RinConfig): number {
  return (c.imageSize / c.patchSize) ** 2;
}

/** Learned latent slots: all latents but the time token and (when conditional) the class token. */
export function learnedLatents(c: RinConfig): number {
  return c.latents - 1 - (c.numClasses > 0 ? 1 : 0);
}

/** Width of the read/write cross-attention, min(d, D). */
export function crossAttentionDim(c: RinConfig): number {
  return Math.min(c.interfaceDim, c.latentDim);
}
