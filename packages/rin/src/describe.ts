/**
 * Human- and machine-readable summaries of a config: the token and latent shapes, parameter
 * breakdown and forward FLOPs (what `ns rin params` and `ns rin describe` print).
 */
import { crossAttentionDim, interfaceTokens, learnedLatents, type RinConfig } from './config.js';
import { forwardFlops, type ParamBreakdown, paramBreakdown } from './count.js';

export interface RinDescription {
  readonly image: readonly [number, number, number];
  /** Patch values per interface token, p·p·C. */
  readonly patch: readonly [number, number, number];
  /** Interface X: [tokens, width]. */
  readonly interface: readonly [number, number];
  /** Latents Z: [tokens, width], time and class tokens included. */
  readonly latents: readonly [number, number];
  readonly latentTokens: { readonly learned: number; readonly time: 1; readonly class: 0 | 1 };
  readonly crossAttentionDim: number;
  readonly blocks: readonly number[];
  readonly params: number;
  /** FLOPs of one forward pass for one example (matrix products, 2 per multiply-add). */
  readonly flops: number;
  readonly flopParts: readonly { readonly name: string; readonly flops: number }[];
}

export function describeRin(c: RinConfig): RinDescription {
  const f = forwardFlops(c);
  return {
    image: [c.imageSize, c.imageSize, c.channels],
    patch: [c.patchSize, c.patchSize, c.channels],
    interface: [interfaceTokens(c), c.interfaceDim],
    latents: [c.latents, c.latentDim],
    latentTokens: { learned: learnedLatents(c), time: 1, class: c.numClasses > 0 ? 1 : 0 },
    crossAttentionDim: crossAttentionDim(c),
    blocks: [...c.blocks],
    params: paramBreakdown(c).total,
    flops: f.total,
    flopParts: f.parts,
  };
}

/** 214,480,000 → "214.48M"; 12.3e9 → "12.30G". */
export function formatCount(n: number): string {
  if (n >= 1e9) return `${(n / 1e9).toFixed(2)}G`;
  if (n >= 1e6) return `${(n / 1e6).toFixed(2)}M`;
  if (n >= 1e3) return `${(n / 1e3).toFixed(2)}K`;
  return String(n);
}

function table(rows: readonly (readonly [string, string, string])[]): string {
  const w0 = Math.max(...rows.map((r) => r[0].length));
  const w1 = Math.max(...rows.map((r) => r[1].length));
  return rows
    .map((r) => `  ${r[0].padEnd(w0)}  ${r[1].padStart(w1)}  ${r[2]}`.trimEnd())
    .join('\n');
}

/** One line per part (name, exact count, share), then the total. */
export function formatParamBreakdown(b: ParamBreakdown): string {
  const rows: [string, string, string][] = b.parts.map((p) => [
    p.name,
    p.params.toLocaleString('en-US'),
    `${((100 * p.params) / b.total).toFixed(1)}%`,
  ]);
  rows.push(['total', b.total.toLocaleString('en-US'), `(${formatCount(b.total)})`]);
  return `${table(rows)}\n`;
}

export function formatDescription(c: RinConfig, title = 'RIN'): string {
  const d = describeRin(c);
  const [n, width] = d.interface;
  const [L, D] = d.latents;
  const cond = d.latentTokens.class ? ' + class' : '';
  const lines = [
    `${title}: ${d.image.join('×')} image, ${d.patch[0]}×${d.patch[1]} patches, predicts ${c.predict}`,
    `  interface X   [batch, ${n}, ${width}]   (${n} patches of ${d.patch.join('×')} = ${d.patch.reduce((a, b) => a * b, 1)} values)`,
    `  latents Z     [batch, ${L}, ${D}]   (${d.latentTokens.learned} learned + time${cond})`,
    `  blocks        ${d.blocks.length} × (read, process ×K, write), K = ${d.blocks.join(',')}`,
    `  attention     cross min(d, D) = ${d.crossAttentionDim}, ${c.rwHeads} heads; latent ${D}, ${c.latentHeads} heads`,
    `  self-cond     ${c.selfCondition}; dropout ${c.dropout}, drop-path ${c.dropPath} (process layers)`,
    `  parameters    ${d.params.toLocaleString('en-US')} (${formatCount(d.params)})`,
    `  forward FLOPs ${formatCount(d.flops)} per example (matrix products, 2 per multiply-add)`,
    table(
      d.flopParts.map(
        (p) =>
          [p.name, formatCount(p.flops), `${((100 * p.flops) / d.flops).toFixed(1)}%`] as const,
      ),
    ),
  ];
  return `${lines.join('\n')}\n`;
}
