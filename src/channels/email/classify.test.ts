import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { generateKeyPairSync } from 'node:crypto';
import { classifyReport } from './classify.js';
import { parseInbound } from './bounces.js';
import { validateSmtpConfig, type SmtpConfig } from './config.js';
import { composeMail } from './compose.js';
import { classifySmtpError } from './smtp-errors.js';
import { parseVerp, verpAddress } from './verp.js';
import { providerId } from './smtp.js';
import { AppError } from '../../core/errors.js';
import type { OutgoingMessage } from '../port.js';

const ACC = 'acc_01JF7Z3K8Q2M4N6P8R0T2V4X6Y';
const fixture = (name: string) => readFileSync(new URL(`./fixtures/${name}.eml`, import.meta.url));
const classify = async (name: string, rcpt: string[] = []) => classifyReport(await parseInbound(fixture(name)), rcpt);

test('hard bounce DSN (5.1.1 user unknown) → bounced, hard, with the status, diagnostic and recipient', async () => {
  const r = await classify('hard-bounce');
  assert.deepEqual(r, {
    accountId: ACC,
    messageId: 'msg_01JF7Z3M1A2B3C4D5E6F7G8H9J',
    type: 'bounced',
    detail: {
      class: 'hard',
      status: '5.1.1',
      diagnostic: '550 5.1.1 <nobody@recipient-bank.example>: Recipient address rejected: User unknown in virtual mailbox table',
      recipient: 'nobody@recipient-bank.example',
      reporting_mta: 'mx.recipient-bank.example',
    },
  });
});

test('soft bounce DSN (4.2.2 mailbox full) → bounced, soft', async () => {
  const r = await classify('soft-bounce');
  assert.equal(r?.type, 'bounced');
  assert.equal(r?.messageId, 'msg_01JF7Z3N5K6M7N8P9Q0R1S2T3V');
  assert.deepEqual(r && { class: r.detail.class, status: 'status' in r.detail ? r.detail.status : null }, { class: 'soft', status: '4.2.2' });
});

test('a delayed DSN is a warning, not a bounce: nothing to report (a retry would send the mail twice)', async () => {
  assert.equal(await classify('delayed'), null);
});

test('ARF abuse complaint → complained; the VERP address comes from Original-Mail-From', async () => {
  const r = await classify('arf-abuse', ['bounce@bounces.conversa.example']);
  assert.deepEqual(r, {
    accountId: ACC,
    messageId: 'msg_01JF7Z3Q2G3H4J5K6M7N8P9Q0R',
    type: 'complained',
    detail: { feedback_type: 'abuse', recipient: 'annoyed.customer@isp.example.com', user_agent: 'SomeGenerator/1.0' },
  });
});

test('a mail that is not a report (an out-of-office reply to the VERP address) → null', async () => {
  assert.equal(await classify('not-a-report'), null);
});

test('the envelope recipient wins; without any VERP address the report is ignored', async () => {
  const raw = fixture('hard-bounce').toString('utf8');
  const envelope = `bounce+${ACC}.msg_FROMENVELOPE@bounces.conversa.example`;
  assert.equal((await classify('hard-bounce', [envelope]))?.messageId, 'msg_FROMENVELOPE');
  // Strip every VERP address: the account cannot be known, so the report is dropped.
  const anonymous = raw.replaceAll(/bounce\+[A-Za-z0-9_.]+@/g, 'postmaster@');
  assert.equal(classifyReport(await parseInbound(anonymous), []), null);
  // VERP with the account only: the message id comes from the returned original's headers.
  const accountOnly = raw.replaceAll(/bounce\+([A-Za-z0-9_]+)\.[A-Za-z0-9_]+@/g, 'bounce+$1@');
  const r = classifyReport(await parseInbound(accountOnly), []);
  assert.deepEqual(r && [r.accountId, r.messageId], [ACC, 'msg_01JF7Z3M1A2B3C4D5E6F7G8H9J']);
});

test('a DSN without enhanced status codes falls back to the SMTP reply in Diagnostic-Code', async () => {
  const raw = fixture('hard-bounce').toString('utf8').replace('Status: 5.1.1\n', '').replace('smtp; 550 5.1.1', 'smtp; 452');
  const r = classifyReport(await parseInbound(raw), []);
  assert.equal(r?.type, 'bounced');
  assert.deepEqual(r && r.type === 'bounced' && [r.detail.class, r.detail.status], ['soft', '4.0.0']);
});

test('VERP addresses round-trip and refuse ids that would make them ambiguous', () => {
  const a = verpAddress(ACC, 'msg_X1', 'bounces.example');
  assert.equal(a, `bounce+${ACC}.msg_X1@bounces.example`);
  assert.deepEqual(parseVerp(`<${a}>`), { accountId: ACC, messageId: 'msg_X1' });
  assert.throws(() => verpAddress('acc.1', 'msg', 'd.example'));
  assert.equal(parseVerp('postmaster@bounces.example'), null);
});

const rsaKey = (bits: number) => generateKeyPairSync('rsa', { modulusLength: bits }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const base: SmtpConfig = { host: 'smtp.banco.example', port: 587, from: 'Banco <avisos@banco.example>' };

test('validateConfig names the offending field', () => {
  const field = (c: SmtpConfig): string | undefined => {
    try {
      validateSmtpConfig(c);
      return undefined;
    } catch (err) {
      assert.ok(err instanceof AppError);
      assert.equal(err.status, 422);
      return err.details[0]?.field;
    }
  };
  assert.equal(field(base), undefined);
  assert.equal(field({ ...base, from: 'not an address' }), 'config.from');
  assert.equal(field({ ...base, from: 'a@x.example, b@x.example' }), 'config.from');
  assert.equal(field({ ...base, host: 'http://smtp.example' }), 'config.host');
  assert.equal(field({ ...base, return_path: 'bounces.banco.example' }), undefined);
  assert.equal(field({ ...base, return_path: 'not a domain' }), 'config.return_path');
  const dkim = { domain: 'banco.example', selector: 's2025', private_key: rsaKey(1024) };
  assert.equal(field({ ...base, dkim }), undefined);
  assert.equal(field({ ...base, dkim: { ...dkim, private_key: '-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----' } }), 'config.dkim.private_key');
  const ed = generateKeyPairSync('ed25519').privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  assert.equal(field({ ...base, dkim: { ...dkim, private_key: ed } }), 'config.dkim.private_key');
  assert.equal(field({ ...base, dkim: { ...dkim, selector: 'bad selector' } }), 'config.dkim.selector');
});

const message = (over: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  id: 'msg_01ABC', accountId: ACC, contactId: null, to: 'ana@cliente.example', category: 'marketing',
  content: { subject: 'Hola', text: 'hola' }, attachments: [], headers: {}, data: {},
  links: { unsubscribe: 'https://c.example/u/t1', unsubscribeMailto: 'unsub+t1@c.example' }, ...over,
});
const settings = { from: 'Banco <avisos@banco.example>', fromDomain: 'banco.example', bounceDomain: 'bounces.banco.example' };

test('compose: Message-ID, id header, VERP envelope, RFC 8058 headers only for marketing with a link', () => {
  const m = composeMail(message({ headers: { 'List-Unsubscribe': '<https://stale>', 'X-Campaign': 'jan\r\nBcc: evil@x', From: 'evil@x' } }), settings);
  const h = m.headers as Record<string, string>;
  assert.equal(m.messageId, '<msg_01ABC@banco.example>');
  assert.equal(h['X-Conversa-Message-Id'], 'msg_01ABC');
  assert.deepEqual(m.envelope, { from: `bounce+${ACC}.msg_01ABC@bounces.banco.example`, to: ['ana@cliente.example'] });
  assert.equal(h['List-Unsubscribe'], '<https://c.example/u/t1>, <mailto:unsub+t1@c.example>');
  assert.equal(h['List-Unsubscribe-Post'], 'List-Unsubscribe=One-Click');
  assert.equal(h['X-Campaign'], 'jan Bcc: evil@x', 'no header injection');
  assert.equal(h.From, undefined, 'callers cannot override From');

  const tx = composeMail(message({ category: 'transactional' }), settings).headers as Record<string, string>;
  assert.equal(tx['List-Unsubscribe-Post'], undefined);
  const noMailto = composeMail(message({ links: { unsubscribe: 'https://c.example/u/t2' } }), { ...settings, bounceDomain: undefined });
  assert.equal((noMailto.headers as Record<string, string>)['List-Unsubscribe'], '<https://c.example/u/t2>');
  assert.equal(noMailto.envelope, undefined);
  assert.throws(() => composeMail(message({ to: 'a@x.example, b@x.example' }), settings));
});

test('SMTP errors: 5xx permanent, 4xx and broken connections transient, bad credentials retryable', () => {
  assert.equal(classifySmtpError({ code: 'EENVELOPE', responseCode: 550, response: '550 5.1.1 no such user' }).transient, false);
  assert.equal(classifySmtpError({ code: 'EMESSAGE', responseCode: 554 }).transient, false);
  assert.equal(classifySmtpError({ code: 'EENVELOPE', responseCode: 451 }).transient, true);
  assert.equal(classifySmtpError({ code: 'EPROTOCOL', responseCode: 503 }).transient, true);
  assert.equal(classifySmtpError({ code: 'ECONNECTION' }).transient, true);
  assert.equal(classifySmtpError({ code: 'ESOCKET', message: 'connect ECONNREFUSED' }).transient, true);
  assert.equal(classifySmtpError({ code: 'EAUTH', responseCode: 535 }).transient, true);
  assert.equal(classifySmtpError({ code: 'EENVELOPE', message: 'No recipients defined' }).transient, false);
  assert.match(classifySmtpError({ code: 'EENVELOPE', responseCode: 550, response: '550 no' }).error, /^EENVELOPE 550: 550 no/);
});

test('provider id: the queue id from the reply, else the Message-ID', () => {
  assert.equal(providerId('250 2.0.0 Ok: queued as 4F8X1A2B3C', '<m@d>'), '4F8X1A2B3C');
  assert.equal(providerId('250 OK', '<msg_1@banco.example>'), 'msg_1@banco.example');
});
