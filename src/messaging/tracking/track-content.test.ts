import { test } from 'node:test';
import assert from 'node:assert/strict';
import { listUnsubscribeHeaders, newTrackingToken, trackContent, unsubscribeLinks, type TrackOptions } from './track-content.js';
import { trimUrl } from './text-links.js';
import { withUtm } from './utm.js';

const PUBLIC = 'https://go.bank.co';

/** Tokens t1, t2, … so expectations can name them. */
function options(over: Partial<TrackOptions> = {}): TrackOptions {
  let n = 0;
  return { publicUrl: PUBLIC, newToken: () => `t${++n}`, track: true, ...over };
}

test('email HTML: http(s) links go through /l/, data-notrack ones stay and lose the attribute', () => {
  const html = `<html><body>
<a href="https://bank.co/offer?a=1&amp;b=2" class="btn">Offer</a>
<a data-notrack href="https://bank.co/terms">Terms</a>
<A HREF='http://bank.co/old' data-notrack="">Old</A>
<a href="mailto:help@bank.co">Mail</a> <a href="tel:+5716000000">Call</a> <a href="#top">Top</a>
<a href="https://bank.co/offer?a=1&amp;b=2">Offer again</a>
</body></html>`;
  const { content, tokens } = trackContent({ html, text: 'x' }, 'email', options());
  const out = content.html!;
  assert.match(out, /<a href="https:\/\/go\.bank\.co\/l\/t1" class="btn">Offer<\/a>/);
  assert.match(out, /<a href="https:\/\/bank\.co\/terms">Terms<\/a>/);
  assert.match(out, /<A HREF='http:\/\/bank\.co\/old'>Old<\/A>/);
  assert.doesNotMatch(out, /notrack/i);
  assert.match(out, /href="mailto:help@bank\.co"/);
  assert.match(out, /href="tel:\+5716000000"/);
  assert.match(out, /href="#top"/);
  // The same URL twice shares a token; the entity-encoded href is stored decoded.
  assert.match(out, /<a href="https:\/\/go\.bank\.co\/l\/t1">Offer again<\/a>/);
  assert.deepEqual(tokens, [
    { token: 't1', kind: 'link', url: 'https://bank.co/offer?a=1&b=2' },
    { token: 't2', kind: 'open', url: null },
  ]);
  assert.ok(out.endsWith(`<img src="${PUBLIC}/o/t2" width="1" height="1" alt="" style="display:none"></body></html>`));
});

test('email HTML: a tokenizer, not a search: comments, scripts, attribute values and own links are left alone', () => {
  const html = [
    '<!-- <a href="https://bank.co/commented">x</a> -->',
    '<!--[if mso]><v:roundrect href="https://bank.co/vml"><![endif]-->',
    '<img alt="<a href=https://bank.co/in-alt>" src="https://bank.co/logo.png">',
    '<script>var s = \'<a href="https://bank.co/js">\';</script>',
    '<a\n  title="a > b"\n  href = https://bank.co/unquoted\n>Unquoted</a>',
    `<a href="${PUBLIC}/u/unsub-token">Unsubscribe</a>`,
    '<abbr title="x">not a link</abbr>',
  ].join('\n');
  const { content, tokens } = trackContent({ html, text: '' }, 'email', options());
  const out = content.html!;
  assert.deepEqual(tokens.filter((t) => t.kind === 'link').map((t) => t.url), ['https://bank.co/unquoted']);
  assert.ok(out.includes('<a\n  title="a > b" href="https://go.bank.co/l/t1"\n>Unquoted</a>'), out);
  for (const kept of ['bank.co/commented', 'bank.co/vml', 'in-alt>"', 'bank.co/js', `${PUBLIC}/u/unsub-token`, 'logo.png']) {
    assert.ok(out.includes(kept), kept);
  }
  // No </body>: the pixel goes at the end.
  assert.ok(out.endsWith(`<img src="${PUBLIC}/o/t2" width="1" height="1" alt="" style="display:none">`));
});

test('email text part: URLs shortened without the sentence punctuation; notrack URLs from the HTML stay', () => {
  const text = 'Pay at https://bank.co/pay. See (https://bank.co/faq) or https://en.wikipedia.org/wiki/Bank_(finance), '
    + 'terms [https://bank.co/terms]! Again: https://bank.co/pay, mail help@bank.co';
  const html = '<a href="https://bank.co/pay">Pay</a> <a data-notrack href="https://bank.co/terms">Terms</a>';
  const { content, tokens } = trackContent({ html, text }, 'email', options());
  assert.equal(
    content.text,
    `Pay at ${PUBLIC}/l/t1. See (${PUBLIC}/l/t3) or ${PUBLIC}/l/t4, terms [https://bank.co/terms]! Again: ${PUBLIC}/l/t1, mail help@bank.co`,
  );
  assert.deepEqual(tokens.map((t) => [t.token, t.kind, t.url]), [
    ['t1', 'link', 'https://bank.co/pay'],
    ['t2', 'open', null],
    ['t3', 'link', 'https://bank.co/faq'],
    ['t4', 'link', 'https://en.wikipedia.org/wiki/Bank_(finance)'],
  ]);
});

test('SMS and push text are shortened; voice, webhook and db_update untouched', () => {
  const sms = trackContent({ text: 'Your card is ready: https://bank.co/card?id=9. Reply STOP' }, 'sms', options());
  assert.equal(sms.content.text, `Your card is ready: ${PUBLIC}/l/t1. Reply STOP`);
  assert.deepEqual(sms.tokens, [{ token: 't1', kind: 'link', url: 'https://bank.co/card?id=9' }]);

  const push = trackContent({ subject: 'Offer', text: 'Open https://bank.co/app' }, 'push', options());
  assert.deepEqual(push.content, { subject: 'Offer', text: `Open ${PUBLIC}/l/t1` });

  for (const kind of ['voice', 'webhook', 'db_update'] as const) {
    const content = { text: 'Visit https://bank.co/x', html: '<a href="https://bank.co/x">x</a>' };
    const r = trackContent(content, kind, options());
    assert.equal(r.content, content);
    assert.deepEqual(r.tokens, []);
  }
});

test('track: false makes no tokens and rewrites no link (data-notrack markup still goes)', () => {
  const content = { subject: 's', html: '<body><a href="https://bank.co">x</a> <a data-notrack href="https://bank.co/t">t</a></body>', text: 'https://bank.co' };
  const r = trackContent(content, 'email', options({ track: false }));
  assert.deepEqual(r.tokens, []);
  assert.deepEqual(r.content, { ...content, html: '<body><a href="https://bank.co">x</a> <a href="https://bank.co/t">t</a></body>' });
  const sms = trackContent({ text: 'https://bank.co' }, 'sms', options({ track: false }));
  assert.deepEqual(sms, { content: { text: 'https://bank.co' }, tokens: [] });
});

test('utm given at render time is stored with the link target', () => {
  const r = trackContent({ text: 'https://bank.co/a?utm_source=news' }, 'sms', options({ utm: { source: 'conversa', medium: 'sms', campaign: 'cdt' } }));
  assert.equal(r.tokens[0]?.url, 'https://bank.co/a?utm_source=news&utm_medium=sms&utm_campaign=cdt');
});

test('withUtm: appends missing tags, keeps existing ones, the raw query and the fragment', () => {
  const utm = { source: 'conversa', medium: 'email', campaign: 'Tarjeta oro' };
  assert.equal(withUtm('https://bank.co/p', utm), 'https://bank.co/p?utm_source=conversa&utm_medium=email&utm_campaign=Tarjeta+oro');
  assert.equal(
    withUtm('https://bank.co/p?sig=a%2Fb&utm_campaign=mine#section-2', utm),
    'https://bank.co/p?sig=a%2Fb&utm_campaign=mine&utm_source=conversa&utm_medium=email#section-2',
  );
  assert.equal(withUtm('javascript:alert(1)', utm), undefined);
  assert.equal(withUtm('not a url', utm), undefined);
});

test('trimUrl cuts punctuation and unbalanced brackets only', () => {
  assert.equal(trimUrl('https://a.co/x.'), 'https://a.co/x');
  assert.equal(trimUrl('https://a.co/x).'), 'https://a.co/x');
  assert.equal(trimUrl('https://a.co/x_(y)'), 'https://a.co/x_(y)');
  assert.equal(trimUrl('https://a.co/?q=1&r=2'), 'https://a.co/?q=1&r=2');
});

test('tokens are 128-bit URL-safe random strings; unsubscribe links and headers', () => {
  const a = newTrackingToken();
  assert.match(a, /^[A-Za-z0-9_-]{22}$/);
  assert.notEqual(a, newTrackingToken());
  const links = unsubscribeLinks(PUBLIC, 'tok');
  assert.deepEqual(links, { unsubscribe: `${PUBLIC}/u/tok` });
  assert.deepEqual(listUnsubscribeHeaders(links), {
    'List-Unsubscribe': `<${PUBLIC}/u/tok>`,
    'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
  });
  assert.deepEqual(listUnsubscribeHeaders({}), {});
});
