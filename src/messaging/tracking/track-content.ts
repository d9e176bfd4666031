import { newToken } from '../../core/ids.js';
import type { ChannelKind, RenderedContent } from '../../channels/port.js';
import { rewriteAnchors } from './html-anchors.js';
import { rewriteTextUrls } from './text-links.js';
import { withUtm, type Utm } from './utm.js';

export type TrackingKind = 'link' | 'open' | 'unsubscribe';

/** A token to save with the message (saveTokens): `url` is the target of a link, null otherwise. */
export interface TrackingToken {
  token: string;
  kind: TrackingKind;
  url: string | null;
}

export interface TrackOptions {
  /** The public base URL, without a trailing slash (config.publicUrl). */
  publicUrl: string;
  /** Makes a token; newTrackingToken in production, a counter in tests. */
  newToken: () => string;
  /** false: nothing is rewritten and no tokens are made (the message or account opted out). */
  track: boolean;
  /** UTM tags stored with each link's target now; GET /l/ adds defaults for the ones missing. */
  utm?: Partial<Utm>;
}

/**
 * 128 random bits, URL-safe base64 (22 characters). Not derived from the contact or the message:
 * a token names nothing and cannot be guessed from another one.
 */
export function newTrackingToken(): string {
  // 128 random bits from the pooled CSPRNG buffer (randomBytes per token cost ~95 µs per email).
  return newToken();
}

/** Paths of our own tracking routes: a link to them (the unsubscribe_url) is never wrapped again. */
const OWN_PATHS = ['/l/', '/o/', '/u/'];

/**
 * Rewrites the links of rendered content to `/l/{token}` and adds the open pixel to email HTML.
 * Pure: tokens come from `opts.newToken`; the caller saves the returned tokens with the message.
 *
 * - email HTML: every `<a href="http(s)://…">` without `data-notrack`; the attribute is removed
 *   from the output in any case (it is our markup, not the recipient's business).
 * - email text part, SMS and push text: every http(s) URL, except those marked `data-notrack` in
 *   the HTML part of the same message.
 * - voice, webhook, db_update: untouched.
 * The same URL twice shares one token.
 */
export function trackContent(
  content: RenderedContent,
  kind: ChannelKind,
  opts: TrackOptions,
): { content: RenderedContent; tokens: TrackingToken[] } {
  const tokens: TrackingToken[] = [];
  const byUrl = new Map<string, string>();
  const notrack = new Set<string>();
  const ownPrefixes = OWN_PATHS.map((p) => opts.publicUrl + p);

  /** The short link for `url`, or undefined when it is not to be tracked. */
  const link = (url: string | undefined): string | undefined => {
    if (!opts.track || url === undefined || !/^https?:\/\//i.test(url)) return undefined;
    if (notrack.has(url) || ownPrefixes.some((p) => url.startsWith(p))) return undefined;
    let token = byUrl.get(url);
    if (!token) {
      token = opts.newToken();
      byUrl.set(url, token);
      tokens.push({ token, kind: 'link', url: opts.utm ? withUtm(url, opts.utm) ?? url : url });
    }
    return `${opts.publicUrl}/l/${token}`;
  };

  if (kind === 'email') {
    const out: RenderedContent = { ...content };
    if (content.html !== undefined) {
      let html = rewriteAnchors(content.html, ({ href, notrack: optedOut }) => {
        if (optedOut) {
          if (href) notrack.add(href);
          return undefined;
        }
        return link(href);
      });
      if (opts.track) {
        const token = opts.newToken();
        tokens.push({ token, kind: 'open', url: null });
        html = addOpenPixel(html, `${opts.publicUrl}/o/${token}`);
      }
      out.html = html;
    }
    out.text = rewriteTextUrls(content.text, link);
    return { content: out, tokens };
  }
  if (kind === 'sms' || kind === 'push') {
    return { content: { ...content, text: rewriteTextUrls(content.text, link) }, tokens };
  }
  return { content, tokens };
}

/** A 1×1 image before `</body>` (or at the end): the client loading it is an open. */
export function addOpenPixel(html: string, src: string): string {
  const img = `<img src="${src}" width="1" height="1" alt="" style="display:none">`;
  const match = /<\/body\s*>/gi;
  let last = -1;
  for (let m = match.exec(html); m; m = match.exec(html)) last = m.index;
  return last < 0 ? html + img : html.slice(0, last) + img + html.slice(last);
}

/** The public URLs of a message's unsubscribe token (for `unsubscribe_url` and List-Unsubscribe). */
export function unsubscribeLinks(publicUrl: string, token: string): { unsubscribe: string } {
  return { unsubscribe: `${publicUrl}/u/${token}` };
}

/**
 * The RFC 2369 / RFC 8058 headers for an email with an unsubscribe link: mailbox providers show
 * an "Unsubscribe" button and POST `List-Unsubscribe=One-Click` to the URL.
 */
export function listUnsubscribeHeaders(links: { unsubscribe?: string; unsubscribeMailto?: string }): Record<string, string> {
  const targets = [links.unsubscribe, links.unsubscribeMailto].filter((x): x is string => !!x);
  if (targets.length === 0) return {};
  const headers: Record<string, string> = { 'List-Unsubscribe': targets.map((t) => `<${t}>`).join(', ') };
  if (links.unsubscribe) headers['List-Unsubscribe-Post'] = 'List-Unsubscribe=One-Click';
  return headers;
}
