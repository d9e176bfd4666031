/**
 * URLs in plain text (an email's text part, an SMS, a push body). A URL runs to whitespace; the
 * punctuation of the sentence around it is not part of it: "Pay at https://bank.co/pay." ends
 * at "pay", "(see https://bank.co/faq)" at "faq", but a URL's own balanced parentheses stay
 * (https://en.wikipedia.org/wiki/Bank_(finance)).
 */
const URL_IN_TEXT = /https?:\/\/[^\s<>"]+/gi;
const TRAILING_PUNCTUATION = /[.,;:!?'"*_~]$/;
const CLOSERS: Record<string, string> = { ')': '(', ']': '[', '}': '{' };

/** Cuts sentence punctuation and unbalanced closing brackets off the end of a URL match. */
export function trimUrl(match: string): string {
  let url = match;
  for (;;) {
    const last = url[url.length - 1] ?? '';
    if (TRAILING_PUNCTUATION.test(last)) {
      url = url.slice(0, -1);
      continue;
    }
    const opener = CLOSERS[last];
    if (opener && count(url, opener) < count(url, last)) {
      url = url.slice(0, -1);
      continue;
    }
    return url;
  }
}

function count(s: string, ch: string): number {
  let n = 0;
  for (const c of s) if (c === ch) n++;
  return n;
}

/** Replaces each URL in `text` for which `replace` returns a string; the rest stay. */
export function rewriteTextUrls(text: string, replace: (url: string) => string | undefined): string {
  return text.replace(URL_IN_TEXT, (match) => {
    const url = trimUrl(match);
    if (!/^https?:\/\/[^/?#]/i.test(url)) return match; // "http://" alone is no link
    const replacement = replace(url);
    return replacement === undefined ? match : replacement + match.slice(url.length);
  });
}
