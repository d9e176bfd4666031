/**
 * The machine-readable parts of reports — `message/delivery-status` (RFC 3464 §2.1),
 * `message/feedback-report` (RFC 5965 §3.1), `text/rfc822-headers` — are header-style fields
 * (`Name: value`, folded lines start with white space) in blocks separated by blank lines.
 * Each block becomes a map of lower-cased names to values; a repeated name keeps its first value.
 */
export function parseFieldBlocks(text: string): Map<string, string>[] {
  const blocks: Map<string, string>[] = [];
  let current = new Map<string, string>();
  let last: string | null = null;
  for (const line of text.split(/\r?\n/)) {
    if (line.trim() === '') {
      if (current.size > 0) blocks.push(current);
      current = new Map();
      last = null;
      continue;
    }
    if (/^[ \t]/.test(line)) {
      if (last !== null) current.set(last, `${current.get(last) ?? ''} ${line.trim()}`.trim());
      continue;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (current.has(name)) {
      last = null; // a repeated field's continuation must not extend the first one
      continue;
    }
    current.set(name, line.slice(colon + 1).trim());
    last = name;
  }
  if (current.size > 0) blocks.push(current);
  return blocks;
}

/** The header section of a returned message (`text/rfc822-headers` or `message/rfc822`). */
export function parseHeaderSection(text: string): Map<string, string> {
  const end = text.search(/\r?\n\r?\n/);
  return parseFieldBlocks(end === -1 ? text : text.slice(0, end))[0] ?? new Map();
}

/** `rfc822; nobody@example.com` → `nobody@example.com` (RFC 3464 address-type prefix dropped). */
export function typedValue(value: string | undefined): string | undefined {
  if (value === undefined) return undefined;
  const semi = value.indexOf(';');
  const v = (semi === -1 ? value : value.slice(semi + 1)).trim();
  return v === '' ? undefined : v;
}
