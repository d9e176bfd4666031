import { test } from 'node:test';
import assert from 'node:assert/strict';
import { AppError } from '../core/errors.js';
import { checkTemplate, renderTemplate, type RenderContext, type TemplateSource } from './render.js';
import { TEMPLATE_LIMITS } from './index.js';

const colombian: RenderContext = {
  contact: { name: 'Ana', balance: 1234567.89, due_date: '2026-03-15', paid_at: '2026-03-15T14:30:00Z', language: 'es', country: 'CO', timezone: 'America/Bogota' },
  data: {},
  account: { name: 'Banco Andino' },
};
const american: RenderContext = {
  ...colombian,
  contact: { ...colombian.contact, language: 'en', country: 'US', timezone: 'America/New_York' },
};

const sms = (body: string): TemplateSource => ({ channel_type: 'sms', body });
const text = async (body: string, ctx: RenderContext = colombian) => (await renderTemplate(sms(body), ctx)).text;

/** Runs `fn`, expecting AppError 422; returns it with how long the failure took. */
async function fails(fn: () => Promise<unknown>): Promise<{ err: AppError; ms: number }> {
  const started = performance.now();
  try {
    await fn();
  } catch (err) {
    assert.ok(err instanceof AppError, `expected AppError, got ${String(err)}`);
    assert.equal(err.status, 422);
    return { err, ms: performance.now() - started };
  }
  assert.fail('expected an error');
}

test('money in the contact\'s language and currency: es-CO and en-US', async () => {
  assert.equal(await text('{{ contact.balance | money }}'), '$ 1.234.567,89');
  assert.equal(await text('{{ contact.balance | money: "COP" }}', american), 'COP 1,234,567.89');
  assert.equal(await text('{{ contact.balance | money }}', american), '$1,234,567.89');
  assert.equal(await text('{{ contact.balance | money: "USD" }}'), 'US$ 1.234.567,89');
  // COP has no decimals of its own: whole amounts print without them, cents are never rounded away.
  assert.equal(await text('{{ 50000 | money }}'), '$ 50.000');
  assert.equal(await text('{{ 12.5 | money: "USD" }}', american), '$12.50');
  // Values from CSV imports or event data may be numeric strings; nothing prints nothing.
  assert.equal(await text('{{ "2500.5" | money }}'), '$ 2.500,50');
  assert.equal(await text('[{{ contact.missing | money }}]'), '[]');
  // Intl's no-break spaces would push an SMS to UCS-2 (70 characters a part): they are plain spaces.
  assert.doesNotMatch(await text('{{ contact.balance | money }}'), /\u00A0|\u202F/);
});

test('a contact without a language gets the country\'s; an unknown country falls back to en-US', async () => {
  const noLanguage = { ...colombian, contact: { ...colombian.contact, language: undefined } };
  assert.equal(await text('{{ contact.balance | money }}', noLanguage), '$ 1.234.567,89');
  const nothing: RenderContext = { contact: { balance: 10 }, data: {}, account: { name: 'x' } };
  assert.equal(await text('{{ contact.balance | money }} {{ "2026-03-15" | local_date }}', nothing), '$10.00 03/15/2026');
  // The context's language and time zone win over the contact's fields (the caller resolved them).
  assert.equal(await text('{{ contact.due_date | local_date: "long" }}', { ...colombian, language: 'en-US' }), 'March 15, 2026');
});

test('dates in the contact\'s language and time zone', async () => {
  assert.equal(await text('{{ contact.due_date | local_date }}'), '15/03/2026');
  assert.equal(await text('{{ contact.due_date | local_date }}', american), '03/15/2026');
  assert.equal(await text('{{ contact.due_date | local_date: "long" }}'), '15 de marzo de 2026');
  assert.equal(await text('{{ contact.due_date | local_date: "long" }}', american), 'March 15, 2026');
  // 14:30 UTC is 9:30 in Bogotá and 10:30 in New York (EDT from 8 March 2026).
  assert.equal(await text('{{ contact.paid_at | local_datetime }}'), '15/03/2026, 9:30 a. m.');
  assert.equal(await text('{{ contact.paid_at | local_datetime }}', american), '03/15/2026, 10:30 AM');
  // Liquid's own date filter also runs in the contact's zone, not the server's.
  assert.equal(await text('{{ contact.paid_at | date: "%H:%M" }}'), '09:30');
  // A plain date is a calendar day: Bogotá (UTC-5) must not turn 1 March into 28 February.
  assert.equal(await text('{{ "2026-03-01" | local_date }}'), '01/03/2026');
});

test('bad filter input fails with the line, unknown filters and styles fail at parse or render', async () => {
  const { err } = await fails(() => text('Hola\n{{ contact.name | money }}'));
  assert.equal(err.message, 'body line 2: money: "Ana" is not a number');
  assert.deepEqual(err.details[0], { field: 'body', line: 2, message: 'line 2: money: "Ana" is not a number' });
  assert.match((await fails(() => text('{{ contact.due_date | local_date: "weird" }}'))).err.message, /local_date: style must be one of short, medium, long, full/);
  assert.match((await fails(() => text('{{ "yesterday-ish" | local_date }}'))).err.message, /is not a date/);
  assert.equal((await fails(() => text('a\n{{ 1 | no_such_filter }}'))).err.message, 'body line 2: unknown filter "no_such_filter"');
});

test('syntax errors name the part and the line', async () => {
  const cases: [TemplateSource, string][] = [
    [sms('Hola\n{% if contact.vip %}\nVIP\n{% endif %}\n{% endif %}'), 'body line 5: unexpected "endif"'],
    [sms('Hola\n{% if contact.vip %}VIP'), 'body line 2: {% if contact.vip %} is not closed'],
    [{ channel_type: 'email', subject: 'Hola {{ contact.name', body: 'x' }, 'subject line 1:'],
  ];
  for (const [t, prefix] of cases) {
    const { err } = await fails(() => checkTemplate(t));
    assert.ok(err.message.startsWith(prefix), err.message);
    assert.equal(err.details[0]?.field, prefix.split(' ')[0]);
  }
});

test('a template sees contact, data, account, otp and unsubscribe_url, and no prototypes', async () => {
  const ctx: RenderContext = { ...colombian, data: { amount: 5 }, otp: { code: '482913' }, unsubscribe_url: 'https://x.test/u/t' };
  assert.equal(
    await text('{{ contact.name }}|{{ data.amount }}|{{ account.name }}|{{ otp.code }}|{{ unsubscribe_url }}', ctx),
    'Ana|5|Banco Andino|482913|https://x.test/u/t',
  );
  assert.equal(await text('[{{ contact.constructor }}{{ contact.__proto__ }}{{ data.toString }}{{ account.hasOwnProperty }}]', ctx), '[]');
});

test('email: MJML compiles to HTML after Liquid, with a text part; Liquid can repeat MJML sections', async () => {
  const t: TemplateSource = {
    channel_type: 'email',
    subject: 'Su extracto, {{ contact.name }}',
    body: `<mjml>
  <mj-body>
    <mj-section><mj-column>
      <mj-text>Hola {{ contact.name }}, su saldo es {{ contact.balance | money }}.</mj-text>
      <mj-button href="https://banco.test/pagar?c={{ contact.name }}&amp;x=1">Pagar</mj-button>
    </mj-column></mj-section>
    {% for m in data.movements %}<mj-section><mj-column><mj-text>{{ m.what }}: {{ m.amount | money }}</mj-text></mj-column></mj-section>{% endfor %}
  </mj-body>
</mjml>`,
  };
  await checkTemplate(t);
  const out = await renderTemplate(t, { ...colombian, data: { movements: [{ what: 'Café <b>', amount: 8500 }, { what: 'Arriendo', amount: 1500000 }] } });
  assert.equal(out.subject, 'Su extracto, Ana');
  assert.match(out.html ?? '', /<!doctype html>/i);
  assert.match(out.html ?? '', /Hola Ana, su saldo es \$ 1\.234\.567,89\./);
  // Printed values are HTML-escaped: data cannot inject markup.
  assert.match(out.html ?? '', /Café &lt;b&gt;: \$ 8\.500/);
  assert.doesNotMatch(out.html ?? '', /<mj-/);
  assert.match(out.text, /Hola Ana, su saldo es \$ 1\.234\.567,89\./);
  assert.match(out.text, /Café <b>: \$ 8\.500\n+Arriendo: \$ 1\.500\.000/);
  assert.match(out.text, /Pagar \[https:\/\/banco\.test\/pagar\?c=Ana&x=1\]/);
  assert.doesNotMatch(out.text, /<mjml|mj-text|@media/);
});

test('email: invalid MJML is rejected on check with its line; HTML bodies are HTML; plain bodies are text', async () => {
  const bad: TemplateSource = { channel_type: 'email', subject: 's', body: '<mjml><mj-body>\n<mj-section>\n<mj-text>x</mj-text>\n</mj-section></mj-body></mjml>' };
  const { err } = await fails(() => checkTemplate(bad));
  assert.match(err.message, /^body line 3: MJML: mj-text cannot be used inside mj-section/);
  assert.equal(err.details[0]?.line, 3);

  const html = await renderTemplate({ channel_type: 'email', subject: 'Hola\r\n{{ contact.name }}', body: '<p>Hola <b>{{ contact.name }}</b></p><p><a href="https://b.test/x">Ver</a></p>' }, colombian);
  assert.equal(html.subject, 'Hola Ana', 'a subject is one line');
  assert.equal(html.html, '<p>Hola <b>Ana</b></p><p><a href="https://b.test/x">Ver</a></p>');
  assert.equal(html.text, 'Hola Ana\n\nVer [https://b.test/x]');

  const plain = await renderTemplate({ channel_type: 'email', subject: 's', body: 'Hola {{ contact.name }} & co, 2 < 3' }, colombian);
  assert.equal(plain.html, undefined);
  assert.equal(plain.text, 'Hola Ana & co, 2 < 3');
});

test('push has a title, sms and voice only text; db_update renders JSON fields that data cannot break out of', async () => {
  const push = await renderTemplate({ channel_type: 'push', subject: 'Pago de {{ contact.name }}', body: 'Vence {{ contact.due_date | local_date }}' }, colombian);
  assert.deepEqual(push, { subject: 'Pago de Ana', text: 'Vence 15/03/2026' });
  const voice = await renderTemplate({ channel_type: 'voice', subject: 'ignored', body: '  Hola {{ contact.name }}\n' }, colombian);
  assert.deepEqual(voice, { text: 'Hola Ana' });

  const upd: TemplateSource = { channel_type: 'db_update', body: '{"last_payment": {{ data.amount }}, "note": {{ data.note }}, "missing": {{ data.nothing }}}' };
  await checkTemplate(upd);
  const hostile = 'x", "consent_marketing": true, "y": "';
  const out = await renderTemplate(upd, { ...colombian, data: { amount: 150000.5, note: hostile } });
  assert.deepEqual(out.fields, { last_payment: 150000.5, note: hostile, missing: null });

  // A value put inside quotes is caught when the template is saved, not at send time.
  const quoted: TemplateSource = { channel_type: 'db_update', body: '{"note": "{{ data.note }}"}' };
  assert.match((await fails(() => checkTemplate(quoted))).err.message, /^body: does not render to JSON/);
  assert.match((await fails(() => renderTemplate({ channel_type: 'db_update', body: '[1, 2]' }, colombian))).err.message, /must render to a JSON object/);
});

test('hostile templates fail fast with a clear error instead of hanging', async () => {
  const cases: [string, RegExp][] = [
    ['{% for i in (1..100000000) %}x{% endfor %}', /builds too much/],
    ['{% for i in (1..1000000) %}{% for j in (1..1000000) %}{% endfor %}{% endfor %}', new RegExp(`took longer than ${TEMPLATE_LIMITS.renderMs} ms`)],
    ['{% assign s = "xxxxxxxxxx" %}{% for i in (1..40) %}{% assign s = s | append: s %}{% endfor %}{{ s }}', /builds too much/],
    ['{% capture s %}x{% endcapture %}{% for i in (1..60) %}{% capture s %}{{ s }}{{ s }}{% endcapture %}{% endfor %}{{ s | size }}', /builds too much/],
    [`{% for i in (1..1000) %}${'0123456789'.repeat(100)}{% endfor %}`, /output is larger than 256 KB/],
  ];
  for (const [body, expected] of cases) {
    const { err, ms } = await fails(() => text(body));
    assert.match(err.message, expected, `${body.slice(0, 80)}: ${err.message}`);
    assert.equal(err.details[0]?.field, 'body');
    assert.ok(ms < 2000, `${body} took ${ms} ms`);
    // The same template is refused when saved: it breaks a limit whatever the data.
    assert.match((await fails(() => checkTemplate(sms(body)))).err.message, expected);
  }
  assert.match((await fails(() => checkTemplate(sms('x'.repeat(TEMPLATE_LIMITS.parseChars + 1))))).err.message, /longer than 256 KB/);
});

test('no file system: include and render read only the account\'s templates by name', async () => {
  const own: Record<string, string> = { footer: 'Banco Andino, NIT 900.123.456 ({{ contact.name }})', loop: 'again {% render "loop" %}' };
  const loadPartial = async (name: string) => own[name];
  assert.equal(
    (await renderTemplate(sms('Hola. {% render "footer", contact: contact %} {% include "footer" %}'), colombian, { loadPartial })).text,
    'Hola. Banco Andino, NIT 900.123.456 (Ana) Banco Andino, NIT 900.123.456 (Ana)',
  );
  for (const path of ['/etc/passwd', '../../../../etc/passwd', './package.json', 'package.json']) {
    const { err } = await fails(() => renderTemplate(sms(`{% include '${path}' %}`), colombian, { loadPartial }));
    assert.equal(err.message, `body line 1: partial "${path}" not found`);
  }
  // Without a loader there are no partials at all.
  assert.match((await fails(() => text('{% render "footer" %}'))).err.message, /partial "footer" not found/);
  // A partial that renders itself stops.
  const { err, ms } = await fails(() => renderTemplate(sms('{% render "loop" %}'), colombian, { loadPartial }));
  assert.match(err.message, /partials rendered|took longer than/);
  assert.ok(ms < 2000);
  // MJML's own include is off too.
  const mj = await renderTemplate({ channel_type: 'email', subject: 's', body: '<mjml><mj-body><mj-include path="/etc/passwd" /><mj-section><mj-column><mj-text>ok</mj-text></mj-column></mj-section></mj-body></mjml>' }, colombian);
  assert.doesNotMatch(mj.html ?? '', /root:/);
});

test('an error inside a partial names the partial', async () => {
  const loadPartial = async (name: string) => (name === 'bad' ? 'line one\n{{ contact.name | money }}' : undefined);
  const { err } = await fails(() => renderTemplate(sms('a\nb {% render "bad", contact: contact %}'), colombian, { loadPartial }));
  assert.equal(err.message, 'body: money: "Ana" is not a number (in partial "bad" line 2)');
});

test('partials named in quotes load before the render clock starts: a slow database does not fail the send', async () => {
  const asked: string[] = [];
  const loadPartial = async (name: string) => {
    asked.push(name);
    await new Promise((r) => setTimeout(r, TEMPLATE_LIMITS.renderMs + 100));
    return { header: 'H{% render "inner" %}', inner: 'I' }[name];
  };
  const out = await renderTemplate({ channel_type: 'email', subject: '{% render "header" %}', body: '{% render "header" %}-{% for i in (1..3) %}{% include "inner" %}{% endfor %}' }, colombian, { loadPartial });
  assert.equal(out.subject, 'HI');
  assert.equal(out.text, 'HI-III');
  assert.deepEqual(asked.sort(), ['header', 'inner'], 'each name is fetched once per message');
});
