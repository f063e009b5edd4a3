/**
 * A small XML well-formedness checker for tests: balanced, properly nested tags, quoted and
 * unique attributes, no raw '<' or stray '&' in text or attribute values, exactly one root
 * element. Deliberately strict and tiny, so a broken escape or unclosed tag in the SVG fails.
 */
const NAME = '[A-Za-z_:][A-Za-z0-9_.:-]*';
const ENTITY = /&(?:amp|lt|gt|quot|apos|#[0-9]+|#x[0-9a-fA-F]+);/g;
const ATTRIBUTE = new RegExp(`^\\s+(${NAME})\\s*=\\s*("[^"<]*"|'[^'<]*')`);

function checkText(text: string, where: string): void {
  if (text.includes('<')) throw new Error(`raw '<' in ${where}`);
  if (text.replace(ENTITY, '').includes('&')) throw new Error(`unescaped '&' in ${where}`);
}

/** Throws an Error describing the first problem; returns the root element's name otherwise. */
export function assertWellFormedXml(xml: string): string {
  const stack: string[] = [];
  let root: string | undefined;
  let pos = 0;
  const body = xml.replace(/^<\?xml[^?]*\?>/, '');
  while (pos < body.length) {
    const lt = body.indexOf('<', pos);
    const text = lt === -1 ? body.slice(pos) : body.slice(pos, lt);
    if (stack.length === 0 && text.trim() !== '') throw new Error(`text outside root: ${text}`);
    checkText(text, `text at ${pos}`);
    if (lt === -1) break;
    const gt = body.indexOf('>', lt);
    if (gt === -1) throw new Error(`unterminated tag at ${lt}`);
    const tag = body.slice(lt + 1, gt);
    pos = gt + 1;
    if (tag.startsWith('!--')) {
      if (!tag.endsWith('--')) throw new Error(`bad comment at ${lt}`);
      continue;
    }
    if (tag.startsWith('/')) {
      const name = tag.slice(1).trim();
      const open = stack.pop();
      if (open !== name) throw new Error(`</${name}> at ${lt} closes <${open ?? 'nothing'}>`);
      continue;
    }
    const selfClosing = tag.endsWith('/');
    const inner = selfClosing ? tag.slice(0, -1) : tag;
    const nameMatch = new RegExp(`^${NAME}`).exec(inner);
    if (nameMatch === null) throw new Error(`bad tag name at ${lt}: <${tag}>`);
    const name = nameMatch[0];
    let rest = inner.slice(name.length);
    const seen = new Set<string>();
    while (rest.trim() !== '') {
      const attr = ATTRIBUTE.exec(rest);
      if (attr === null) throw new Error(`bad attribute syntax in <${name}> at ${lt}: ${rest}`);
      const [whole, attrName, quoted] = attr as unknown as [string, string, string];
      if (seen.has(attrName)) throw new Error(`duplicate attribute ${attrName} at ${lt}`);
      seen.add(attrName);
      checkText(quoted.slice(1, -1), `attribute ${attrName} of <${name}> at ${lt}`);
      rest = rest.slice(whole.length);
    }
    if (stack.length === 0) {
      if (root !== undefined) throw new Error(`second root element <${name}> at ${lt}`);
      root = name;
    }
    if (!selfClosing) stack.push(name);
  }
  if (stack.length > 0) throw new Error(`unclosed elements: ${stack.join(' > ')}`);
  if (root === undefined) throw new Error('no root element');
  return root;
}
