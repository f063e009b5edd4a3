/**
 * Text width estimates for layout. Hand-written SVG has no text engine to ask, so we use the
 * advance widths of DejaVu Sans (the font svgToPng requests), in em, for the characters charts
 * use; other fonts are close enough for spacing a legend and reserving room for tick labels.
 */
const ADVANCE_EM: ReadonlyMap<string, number> = new Map(
  (
    [
      [0.278, ['i', 'j', 'l']],
      [0.295, ['I', 'J']],
      [0.318, [' ', '.', ',']],
      [0.337, [':', ';', '/']],
      [0.352, ['f']],
      [0.361, ['-']],
      [0.39, ['(', ')', '[', ']']],
      [0.392, ['t']],
      [0.411, ['r']],
      [0.46, ['"']],
      [0.275, ["'"]],
      [0.5, ['_', '*']],
      [0.521, ['s']],
      [0.525, ['z']],
      [0.55, ['c']],
      [0.557, ['L']],
      [0.575, ['F']],
      [0.579, ['k']],
      [0.592, 'vxyγ'.split('')],
      [0.603, ['P']],
      [0.602, ['τ']],
      [0.611, ['T', 'Y']],
      [0.612, ['o']],
      [0.613, ['a']],
      [0.615, ['e']],
      [0.632, ['E']],
      [0.634, 'hnuσ'.split('')],
      [0.635, 'bdgpqS'.split('')],
      [0.636, '0123456789μ'.split('')],
      [0.656, ['K']],
      [0.685, 'ABVXZ'.split('')],
      [0.695, ['R']],
      [0.698, ['C']],
      [0.732, ['U']],
      [0.748, ['N']],
      [0.752, ['H']],
      [0.77, ['D']],
      [0.775, ['G']],
      [0.78, ['&']],
      [0.787, ['O', 'Q']],
      [0.818, ['w']],
      [0.838, ['\u2212', '=', '<', '>', '+']],
      [0.863, ['M']],
      [0.95, ['%']],
      [0.974, ['m']],
      [0.989, ['W']],
    ] as const
  ).flatMap(([em, chars]) => chars.map((c) => [c, em] as const)),
);
/** Typical width of characters missing from the table (other Latin letters, Greek, symbols). */
const FALLBACK_EM = 0.62;
/** CJK and other wide scripts are about one em per character. */
const WIDE_EM = 1;

/** Estimated rendered width of `text` at `fontSize`, in the same units as `fontSize`. */
export function estimateTextWidth(text: string, fontSize: number): number {
  let em = 0;
  for (const ch of text) {
    em += ADVANCE_EM.get(ch) ?? (ch.codePointAt(0)! >= 0x2e80 ? WIDE_EM : FALLBACK_EM);
  }
  return em * fontSize;
}
