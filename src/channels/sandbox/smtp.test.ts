import { test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import nodemailer from 'nodemailer';
import { startSandboxSmtp } from './smtp.js';
import { createTestDatabase, type TestDatabase } from '../../test-support/db.js';
import { createLogger } from '../../core/logger.js';

let db: TestDatabase;
let sink: Awaited<ReturnType<typeof startSandboxSmtp>>;
before(async () => {
  db = await createTestDatabase();
  sink = await startSandboxSmtp({ pool: db.pool, log: createLogger('silent'), port: 0 });
});
after(async () => {
  await sink.close();
  await db.drop();
});

const transport = (user?: string) =>
  nodemailer.createTransport({ host: '127.0.0.1', port: sink.port, secure: false, ignoreTLS: true, logger: false, ...(user ? { auth: { user, pass: 'anything' } } : {}) });

const mail = (id: string) => ({
  from: 'avisos@banco.example', to: 'ana@cliente.example', subject: 'Su extracto', text: 'Hola Ana, su extracto está listo.',
  html: '<p>Hola Ana</p>', headers: { 'X-Conversa-Message-Id': id },
});

test('records one row per message under the AUTH user account: to, subject, text and the raw MIME', async () => {
  const t = transport('acc_SANDBOX1');
  try {
    const info = await t.sendMail(mail('msg_SBX1'));
    assert.match(info.response, /^250 /);
  } finally {
    t.close();
  }
  const { rows } = await db.pool.query('SELECT * FROM sandbox_messages WHERE account_id = $1', ['acc_SANDBOX1']);
  assert.equal(rows.length, 1);
  const r = rows[0];
  assert.equal(r.message_id, 'msg_SBX1');
  assert.equal(r.channel_type, 'email');
  assert.equal(r.to_address, 'ana@cliente.example');
  assert.equal(r.subject, 'Su extracto');
  assert.equal(r.text.trim(), 'Hola Ana, su extracto está listo.');
  assert.match(r.raw, /^X-Conversa-Message-Id: msg_SBX1\r?$/im);
  assert.equal(r.duplicates, 0);
});

test('a second delivery of the same message id is counted as a duplicate, not stored twice', async () => {
  const t = transport('acc_SANDBOX2');
  try {
    await t.sendMail(mail('msg_DUP'));
    await t.sendMail(mail('msg_DUP'));
    await t.sendMail(mail('msg_OTHER'));
  } finally {
    t.close();
  }
  const { rows } = await db.pool.query('SELECT message_id, duplicates FROM sandbox_messages WHERE account_id = $1 ORDER BY message_id', ['acc_SANDBOX2']);
  assert.deepEqual(rows, [{ message_id: 'msg_DUP', duplicates: 1 }, { message_id: 'msg_OTHER', duplicates: 0 }]);
});

test('without AUTH, or with a user that is not an account id, nothing is accepted', async () => {
  const anon = transport();
  await assert.rejects(anon.sendMail(mail('msg_ANON')), (err: { responseCode?: number }) => err.responseCode === 530);
  anon.close();
  const bad = transport("x'; DROP TABLE");
  await assert.rejects(bad.sendMail(mail('msg_BAD')), (err: { code?: string }) => err.code === 'EAUTH');
  bad.close();
  const { rows } = await db.pool.query("SELECT 1 FROM sandbox_messages WHERE message_id IN ('msg_ANON', 'msg_BAD')");
  assert.equal(rows.length, 0);
});
