/** The few bytes the public tracking routes answer with: a pixel and three small HTML pages. */

/** A 1×1 transparent GIF (43 bytes). */
export const PIXEL_GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

export function escapeHtml(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');
}

function page(title: string, body: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="robots" content="noindex"><title>${escapeHtml(title)}</title>
<style>body{font-family:system-ui,sans-serif;max-width:32rem;margin:4rem auto;padding:0 1rem;color:#222}
button{font:inherit;padding:.6rem 1.2rem;cursor:pointer}</style></head>
<body>${body}</body></html>
`;
}

/** The same page for every unknown, mistyped or expired token: it says nothing about which exist. */
export function notFoundPage(): string {
  return page('Link not found', '<h1>Link not found</h1><p>This link is not valid. Please check that you copied all of it.</p>');
}

/**
 * Asks before unsubscribing: mail scanners and link previewers fetch every URL in a message, so
 * a GET must never opt anyone out. The form posts back to this same URL (no `action`).
 */
export function confirmUnsubscribePage(accountName: string, alreadyOptedOut: boolean): string {
  const name = escapeHtml(accountName);
  if (alreadyOptedOut) {
    return page('Unsubscribed', `<h1>You are unsubscribed</h1><p>You no longer receive marketing messages from ${name}.</p>`);
  }
  return page(
    'Unsubscribe',
    `<h1>Unsubscribe from marketing messages of ${name}?</h1>
<p>You will still receive messages about your accounts and transactions.</p>
<form method="post"><input type="hidden" name="confirm" value="yes"><button type="submit">Unsubscribe</button></form>`,
  );
}

export function unsubscribedPage(accountName: string): string {
  return page('Unsubscribed', `<h1>You are unsubscribed</h1><p>You will no longer receive marketing messages from ${escapeHtml(accountName)}.</p>`);
}
