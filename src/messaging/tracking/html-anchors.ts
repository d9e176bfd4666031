/**
 * Rewrites the `href` of `<a>` start tags in an HTML document and nothing else.
 *
 * Why not parse and re-serialise (cheerio, parse5)? Email HTML from MJML is full of Outlook
 * conditional comments, VML and table quirks that a round trip through a DOM changes (entity
 * forms, attribute quoting, an added <html>/<head>). Mail clients are picky, so we only splice
 * the bytes of the attributes we change and leave every other byte as the template rendered it.
 *
 * The scanner is a small HTML tokenizer: it walks tags with their quoted attribute values (so a
 * `>` or `<a` inside `alt="…"` is not a tag), skips comments, doctype/CDATA/processing
 * instructions, and the raw text of <script>, <style>, <textarea> and <title>. Links inside
 * Outlook conditional comments (`<!--[if mso]>…<![endif]-->`) are left as they are.
 */

/** One attribute of a start tag, with its source span (including the whitespace before it). */
interface Attribute {
  name: string;
  /** The value with character references decoded; '' for a bare attribute. */
  value: string;
  start: number;
  end: number;
}

interface StartTag {
  name: string;
  attributes: Attribute[];
  /** Index just past the closing `>`. */
  end: number;
}

/** What to do with one `<a>`: `href` is its decoded target, `notrack` whether it opted out. */
export type AnchorRewrite = (a: { href: string | undefined; notrack: boolean }) => string | undefined;

const RAW_TEXT = new Set(['script', 'style', 'textarea', 'title']);
const NOTRACK = 'data-notrack';

/**
 * Calls `rewrite` for every `<a>` start tag; a returned string becomes the new `href`. The
 * `data-notrack` attribute is always removed from the output.
 */
export function rewriteAnchors(html: string, rewrite: AnchorRewrite): string {
  let out = '';
  let copied = 0; // html[copied..i] has not been copied to `out` yet
  let i = 0;
  while (i < html.length) {
    const lt = html.indexOf('<', i);
    if (lt < 0) break;
    if (html.startsWith('<!--', lt)) {
      const close = html.indexOf('-->', lt + 4);
      i = close < 0 ? html.length : close + 3;
      continue;
    }
    const next = html[lt + 1] ?? '';
    if (next === '!' || next === '?' || next === '/') {
      // Doctype, CDATA, processing instruction or an end tag: nothing to rewrite up to its `>`.
      const close = html.indexOf('>', lt + 1);
      i = close < 0 ? html.length : close + 1;
      continue;
    }
    if (!/[a-zA-Z]/.test(next)) {
      i = lt + 1; // a lone '<' in text
      continue;
    }
    const tag = readStartTag(html, lt);
    if (!tag) break; // an unterminated tag: leave the rest untouched
    if (tag.name === 'a') {
      const replaced = rewriteTag(html, lt, tag, rewrite);
      if (replaced !== undefined) {
        out += html.slice(copied, lt) + replaced;
        copied = tag.end;
      }
    }
    i = tag.end;
    if (RAW_TEXT.has(tag.name)) {
      // A regex, not toLowerCase(): lower-casing can change the length of a string and its offsets.
      const endTag = new RegExp(`</${tag.name}`, 'gi');
      endTag.lastIndex = i;
      const close = endTag.exec(html);
      i = close ? close.index : html.length;
    }
  }
  return out + html.slice(copied);
}

/** The rewritten text of one `<a …>` tag, or undefined when it stays as it is. */
function rewriteTag(html: string, lt: number, tag: StartTag, rewrite: AnchorRewrite): string | undefined {
  const href = tag.attributes.find((a) => a.name === 'href');
  const notrack = tag.attributes.some((a) => a.name === NOTRACK);
  const newHref = rewrite({ href: href?.value.trim(), notrack });
  if (newHref === undefined && !notrack) return undefined;
  // Splice from the last attribute backwards so earlier spans keep their offsets.
  let text = html.slice(lt, tag.end);
  const spans = [...tag.attributes].sort((a, b) => b.start - a.start);
  for (const a of spans) {
    const from = a.start - lt;
    const to = a.end - lt;
    if (a.name === NOTRACK) text = text.slice(0, from) + text.slice(to);
    else if (a === href && newHref !== undefined) text = `${text.slice(0, from)} href="${escapeAttribute(newHref)}"${text.slice(to)}`;
  }
  return text;
}

const SPACE = /[\t\n\f\r ]/;

/** Reads the start tag at `lt` (html[lt] is '<', then a letter); undefined when it never closes. */
function readStartTag(html: string, lt: number): StartTag | undefined {
  let i = lt + 1;
  while (i < html.length && !SPACE.test(html[i]!) && html[i] !== '/' && html[i] !== '>') i++;
  const name = html.slice(lt + 1, i).toLowerCase();
  const attributes: Attribute[] = [];
  for (;;) {
    const start = i;
    while (i < html.length && (SPACE.test(html[i]!) || html[i] === '/')) i++;
    if (i >= html.length) return undefined;
    if (html[i] === '>') return { name, attributes, end: i + 1 };
    // An attribute name runs to whitespace, '/', '>' or '=' (a leading '=' belongs to the name).
    const nameStart = i;
    i++;
    while (i < html.length && !SPACE.test(html[i]!) && html[i] !== '/' && html[i] !== '>' && html[i] !== '=') i++;
    const attrName = html.slice(nameStart, i).toLowerCase();
    let j = i;
    while (j < html.length && SPACE.test(html[j]!)) j++;
    let value = '';
    if (html[j] === '=') {
      j++;
      while (j < html.length && SPACE.test(html[j]!)) j++;
      const quote = html[j];
      if (quote === '"' || quote === "'") {
        const close = html.indexOf(quote, j + 1);
        if (close < 0) return undefined;
        value = html.slice(j + 1, close);
        i = close + 1;
      } else {
        const valueStart = j;
        while (j < html.length && !SPACE.test(html[j]!) && html[j] !== '>') j++;
        value = html.slice(valueStart, j);
        i = j;
      }
    }
    attributes.push({ name: attrName, value: decodeEntities(value), start, end: i });
  }
}

const NAMED: Record<string, string> = { amp: '&', lt: '<', gt: '>', quot: '"', apos: "'", nbsp: '\u00a0' };

/** Decodes the character references a URL in an attribute realistically carries. */
export function decodeEntities(s: string): string {
  if (!s.includes('&')) return s;
  return s.replace(/&(#x[0-9a-f]+|#[0-9]+|[a-z]+);/gi, (whole, ref: string) => {
    if (ref[0] === '#') {
      const code = ref[1] === 'x' || ref[1] === 'X' ? parseInt(ref.slice(2), 16) : parseInt(ref.slice(1), 10);
      return code > 0 && code <= 0x10ffff ? String.fromCodePoint(code) : whole;
    }
    return NAMED[ref.toLowerCase()] ?? whole;
  });
}

export function escapeAttribute(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/"/g, '&quot;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}
