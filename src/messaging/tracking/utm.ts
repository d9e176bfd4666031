export interface Utm {
  source: string;
  medium: string;
  campaign: string;
}

/**
 * `url` with the given UTM tags appended, keeping any utm_* the target already has (the
 * marketer's own tags win) and the fragment. The existing query is kept byte for byte, not
 * re-encoded: some targets carry signed query strings. Undefined when `url` is not http(s).
 */
export function withUtm(url: string, utm: Partial<Utm>): string | undefined {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return undefined;
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return undefined;
  const present = parsed.searchParams;
  const extra = new URLSearchParams();
  for (const [key, value] of Object.entries(utm)) {
    if (value && !present.has(`utm_${key}`)) extra.append(`utm_${key}`, value);
  }
  if ([...extra.keys()].length === 0) return parsed.href;
  const query = parsed.search.replace(/^\?/, '').replace(/&$/, '');
  parsed.search = query ? `${query}&${extra.toString()}` : extra.toString();
  return parsed.href;
}
