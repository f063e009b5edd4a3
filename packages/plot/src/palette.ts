/**
 * Okabe–Ito colours (Okabe & Ito 2008, "Color Universal Design"), distinguishable with the common
 * forms of colour blindness. Ordered so the first few have good contrast on white; yellow is last
 * because it is hard to see on white, black just before it.
 */
export const OKABE_ITO: readonly string[] = [
  '#0072B2', // blue
  '#D55E00', // vermillion
  '#009E73', // bluish green
  '#CC79A7', // reddish purple
  '#E69F00', // orange
  '#56B4E9', // sky blue
  '#000000', // black
  '#F0E442', // yellow
];

export interface SeriesStyle {
  readonly colour: string;
  readonly dash: boolean;
}

/**
 * One style per distinct series name, in order of first appearance across all panels, so the same
 * name gets the same colour in every panel. More than 8 names reuse colours cyclically.
 */
export function assignStyles(
  series: Iterable<{ readonly name: string; readonly dash?: boolean }>,
): ReadonlyMap<string, SeriesStyle> {
  const styles = new Map<string, SeriesStyle>();
  for (const s of series) {
    if (styles.has(s.name)) continue;
    const colour = OKABE_ITO[styles.size % OKABE_ITO.length]!;
    styles.set(s.name, { colour, dash: s.dash === true });
  }
  return styles;
}
