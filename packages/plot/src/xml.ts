/** Text and number formatting for hand-written SVG. */

// Characters XML 1.0 forbids even when escaped (C0 controls other than tab, LF, CR) and unpaired
// UTF-16 surrogates. A series name read from a file could contain them; an SVG that contains them
// is rejected by every parser, so they become U+FFFD instead.
const INVALID_XML_CHARS =
  // biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
  /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

const ENTITIES: Readonly<Record<string, string>> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&apos;',
};

/** Escapes text for use in XML character data and in double- or single-quoted attribute values. */
export function escapeXml(text: string): string {
  return text.replace(INVALID_XML_CHARS, '\uFFFD').replace(/[&<>"']/g, (c) => ENTITIES[c] ?? c);
}

/**
 * A coordinate rounded to 2 decimals, so output is deterministic and small (sub-1/100 px is
 * invisible). Never prints "-0" or exponent notation for coordinates in the clamped range.
 */
export function fmt(value: number): string {
  const rounded = Math.round(value * 100) / 100;
  return Object.is(rounded, -0) ? '0' : String(rounded);
}
