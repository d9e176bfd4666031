import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { SMTPServer } from 'smtp-server';
import { simpleParser } from 'mailparser';
import { dkimVerify } from 'mailauth/lib/dkim/verify.js';
import { smtpProvider } from './smtp.js';
import type { SmtpConfig } from './config.js';
import { listenSmtp, readMessage, smtpError } from './smtp-listen.js';
import { startSandboxSmtp } from '../sandbox/smtp.js';
import { createTestDatabase, type TestDatabase } from '../../test-support/db.js';
import { createLogger } from '../../core/logger.js';
import type { ChannelConnection, ChannelContext, OutgoingMessage } from '../port.js';
import { systemClock } from '../../core/clock.js';

const log = createLogger('silent');
const ACC = 'acc_01JF7ZSMTPTEST0000000000AA';
let ctx: ChannelContext;
const signal = new AbortController().signal;

const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
const dkim = { domain: 'banco.example', selector: 'conversa2025', private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };
// The TXT record a real deployment publishes at conversa2025._domainkey.banco.example.
const dkimTxt = `v=DKIM1; k=rsa; p=${publicKey.export({ type: 'spki', format: 'der' }).toString('base64')}`;
const resolver = async (name: string, type: string): Promise<string[][]> => {
  if (type === 'TXT' && name === `${dkim.selector}._domainkey.${dkim.domain}`) return [[dkimTxt]];
  throw Object.assign(new Error(`no ${type} for ${name} in this test`), { code: 'ENOTFOUND' });
};

const message = (id: string, over: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  id, accountId: ACC, contactId: 'ct_1', to: 'ana@cliente.example', category: 'transactional',
  content: { subject: 'Su extracto de enero', text: 'Hola Ana, adjuntamos su extracto.', html: '<p>Hola <b>Ana</b>, adjuntamos su extracto.</p>' },
  attachments: [], headers: {}, data: {}, links: {}, ...over,
});
const pdf = Buffer.from('%PDF-1.4\n% extracto de prueba\n%%EOF\n');

let db: TestDatabase;
let sink: Awaited<ReturnType<typeof startSandboxSmtp>>;
before(async () => {
  db = await createTestDatabase();
  sink = await startSandboxSmtp({ pool: db.pool, log, port: 0 });
  ctx = { pool: db.pool, log, clock: systemClock, accountId: ACC, channelId: 'chn_TEST', publicUrl: 'http://127.0.0.1', report: async () => {} };
});
after(async () => {
  await sink.close();
  await db.drop();
});

test('provider → sandbox SMTP: html, text and attachment arrive; DKIM verifies independently and signs the RFC 8058 headers', async () => {
  const config: SmtpConfig = {
    host: '127.0.0.1', port: sink.port, from: 'Banco Ejemplo <avisos@banco.example>', auth: { user: ACC, pass: 'x' },
    return_path: 'bounces.banco.example', dkim,
  };
  smtpProvider.validateConfig?.(config);
  const conn = await smtpProvider.connect(config, ctx);
  const msg = message('msg_DKIM1', {
    category: 'marketing',
    attachments: [{ filename: 'extracto.pdf', content_type: 'application/pdf', content: pdf.toString('base64') }],
    links: { unsubscribe: 'https://conversa.example/u/tok_1', unsubscribeMailto: 'unsub+tok_1@conversa.example' },
  });
  try {
    const [outcome] = await conn.send([msg], signal);
    assert.equal(outcome?.status, 'sent');
    assert.ok(outcome?.status === 'sent' && outcome.providerIds?.[0]);
  } finally {
    await conn.close();
  }

  const { rows } = await db.pool.query<{ raw: string; subject: string; to_address: string }>(
    'SELECT raw, subject, to_address FROM sandbox_messages WHERE account_id = $1 AND message_id = $2', [ACC, 'msg_DKIM1']);
  const raw = rows[0]?.raw;
  assert.ok(raw, 'the sink recorded the message');
  assert.equal(rows[0]?.to_address, 'ana@cliente.example');

  const parsed = await simpleParser(raw);
  assert.equal(parsed.subject, 'Su extracto de enero');
  assert.equal(parsed.text?.trim(), 'Hola Ana, adjuntamos su extracto.');
  assert.equal(parsed.html, '<p>Hola <b>Ana</b>, adjuntamos su extracto.</p>');
  assert.equal(parsed.messageId, '<msg_DKIM1@banco.example>');
  assert.equal(parsed.attachments.length, 1);
  assert.equal(parsed.attachments[0]?.filename, 'extracto.pdf');
  assert.equal(parsed.attachments[0]?.contentType, 'application/pdf');
  assert.deepEqual(parsed.attachments[0]?.content, pdf);
  assert.ok(parsed.headerLines.some((h) => h.line === 'List-Unsubscribe-Post: List-Unsubscribe=One-Click'));
  const unfolded = raw.replace(/\r?\n[ \t]+/g, ' ');
  assert.match(unfolded, /^List-Unsubscribe: <https:\/\/conversa\.example\/u\/tok_1>, <mailto:unsub\+tok_1@conversa\.example>\r?$/m);

  // An independent verifier (mailauth), fed what the sink received, with the public key from "DNS".
  const result = await dkimVerify(Buffer.from(raw), { resolver });
  assert.equal(result.results.length, 1);
  assert.equal(result.results[0]?.status.result, 'pass', result.results[0]?.info);
  assert.equal(result.results[0]?.signingDomain, 'banco.example');

  const signature = /^DKIM-Signature:((?:.*\r?\n[ \t].*)*.*)/im.exec(raw)?.[1]?.replace(/\s+/g, '') ?? '';
  const signed = (/(?:^|;)h=([^;]+)/.exec(signature)?.[1] ?? '').toLowerCase().split(':');
  for (const h of ['from', 'to', 'subject', 'message-id', 'list-unsubscribe', 'list-unsubscribe-post', 'x-conversa-message-id']) {
    assert.ok(signed.includes(h), `h= includes ${h} (h=${signed.join(':')})`);
  }

  // Tampering with the one-click header breaks the signature: it really is covered.
  const tampered = raw.replace('List-Unsubscribe=One-Click', 'List-Unsubscribe=Nope');
  assert.notEqual((await dkimVerify(Buffer.from(tampered), { resolver })).results[0]?.status.result, 'pass');
});

test('the same message sent twice reaches the sink once (its dedupe on X-Conversa-Message-Id counts the duplicate)', async () => {
  const config: SmtpConfig = { host: '127.0.0.1', port: sink.port, from: 'avisos@banco.example', auth: { user: ACC, pass: 'x' } };
  const conn = await smtpProvider.connect(config, ctx);
  try {
    await conn.send([message('msg_TWICE')], signal);
    await conn.send([message('msg_TWICE')], signal);
  } finally {
    await conn.close();
  }
  const { rows } = await db.pool.query('SELECT duplicates FROM sandbox_messages WHERE account_id = $1 AND message_id = $2', [ACC, 'msg_TWICE']);
  assert.deepEqual(rows, [{ duplicates: 1 }]);
});

/** A test MTA: counts connections, keeps envelopes, and answers RCPT TO by the local part. */
async function startTestMta() {
  const seen = { connections: 0, mailFrom: [] as string[], queued: 0 };
  const server = new SMTPServer({
    authOptional: true, disabledCommands: ['STARTTLS', 'AUTH'], logger: false, disableReverseLookup: true, closeTimeout: 1000,
    onConnect(_s, cb) { seen.connections++; cb(); },
    onMailFrom(address, _s, cb) { seen.mailFrom.push(address.address); cb(); },
    onRcptTo(address, _s, cb) {
      if (address.address.startsWith('unknown')) return cb(smtpError(550, '5.1.1 User unknown'));
      if (address.address.startsWith('busy')) return cb(smtpError(451, '4.7.1 Greylisted, try again'));
      cb();
    },
    onData(stream, _s, cb) {
      readMessage(stream, 1024 * 1024).then(() => cb(null, `Ok: queued as Q${++seen.queued}`), cb);
    },
  });
  const running = await listenSmtp(server, 0, '127.0.0.1');
  return { ...running, seen };
}

test('550 → permanent failure, 451 → transient, the rest of the batch still goes', async () => {
  const mta = await startTestMta();
  const conn = await smtpProvider.connect({ host: '127.0.0.1', port: mta.port, from: 'avisos@banco.example' }, ctx);
  try {
    const outcomes = await conn.send([
      message('msg_OK', { to: 'ana@cliente.example' }),
      message('msg_550', { to: 'unknown@cliente.example' }),
      message('msg_451', { to: 'busy@cliente.example' }),
    ], signal);
    const byId = new Map(outcomes.map((o) => [o.id, o]));
    assert.equal(outcomes.length, 3);
    const ok = byId.get('msg_OK');
    assert.ok(ok?.status === 'sent', JSON.stringify(ok));
    assert.match(ok.providerIds?.[0] ?? '', /^Q\d+$/, 'the queue id from the 250 reply');
    const perm = byId.get('msg_550');
    assert.ok(perm?.status === 'failed' && perm.transient === false, JSON.stringify(perm));
    assert.match(perm.error, /550/);
    const temp = byId.get('msg_451');
    assert.ok(temp?.status === 'failed' && temp.transient === true, JSON.stringify(temp));
  } finally {
    await conn.close();
    await mta.close();
  }
});

test('pool: 30 messages in two batches share at most pool_size connections; envelope sender is the VERP address', async () => {
  const mta = await startTestMta();
  const config: SmtpConfig = { host: '127.0.0.1', port: mta.port, from: 'avisos@banco.example', return_path: 'bounce@bounces.banco.example', pool_size: 2 };
  const conn: ChannelConnection = await smtpProvider.connect(config, ctx);
  try {
    const first = await conn.send(Array.from({ length: 20 }, (_, i) => message(`msg_P${i}`)), signal);
    const second = await conn.send(Array.from({ length: 10 }, (_, i) => message(`msg_Q${i}`)), signal);
    assert.ok([...first, ...second].every((o) => o.status === 'sent'));
    assert.equal(mta.seen.queued, 30);
    assert.ok(mta.seen.connections >= 1 && mta.seen.connections <= 2, `connections: ${mta.seen.connections}`);
    assert.ok(mta.seen.mailFrom.includes(`bounce+${ACC}.msg_P0@bounces.banco.example`));
    assert.ok(mta.seen.mailFrom.every((f) => /^bounce\+acc_\w+\.msg_\w+@bounces\.banco\.example$/.test(f)));
  } finally {
    await conn.close();
    await mta.close();
  }
});

test('a server that is not there → transient failures; an aborted batch is not sent', async () => {
  const mta = await startTestMta();
  const port = mta.port;
  await mta.close(); // nothing listens on this port any more
  const conn = await smtpProvider.connect({ host: '127.0.0.1', port, from: 'avisos@banco.example' }, ctx);
  try {
    const [o] = await conn.send([message('msg_DOWN')], signal);
    assert.ok(o?.status === 'failed' && o.transient === true, JSON.stringify(o));
    const aborted = new AbortController();
    aborted.abort();
    const [a] = await conn.send([message('msg_ABORT')], aborted.signal);
    assert.ok(a?.status === 'failed' && a.transient === true);
  } finally {
    await conn.close();
  }
});
