import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import Fastify, { type FastifyInstance } from 'fastify';
import cookie from '@fastify/cookie';
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import { installErrorHandling } from '../http/errors.js';
import { installAuth } from '../http/auth.js';
import type { AppDeps } from '../http/deps.js';
import { createMetrics } from '../http/metrics.js';
import { loadConfig } from '../core/config.js';
import { createAccount } from '../accounts/index.js';
import { createTestDatabase, type TestDatabase } from './db.js';
import { newId } from '../core/ids.js';
import { insertList } from '../contacts/sql/lists.js';
import { upsertBatch } from '../contacts/contacts.js';
import { createLogger } from '../core/logger.js';
import { fixedClock, systemClock } from '../core/clock.js';
import type { Pool } from '../db/index.js';
import type { ChannelContext, OutgoingMessage, ProviderReport } from '../channels/port.js';

/**
 * Test helpers shared by the webhook, voice, push and db_update provider tests: a ChannelContext built by
 * hand and a real HTTP server on 127.0.0.1 that records what it received. Not a test file.
 */
export function testContext(opts: { pool?: Pool; accountId?: string; channelId?: string; publicUrl?: string; at?: string } = {}) {
  const reports: ProviderReport[] = [];
  const clock = fixedClock(opts.at ?? '2026-03-02T15:00:00Z');
  const ctx: ChannelContext = {
    // Providers that never query get a pool that says so loudly if they ever do.
    pool: opts.pool ?? (new Proxy({}, { get: () => { throw new Error('this provider must not use the database'); } }) as Pool),
    log: createLogger('silent'),
    clock,
    accountId: opts.accountId ?? 'acc_test',
    channelId: opts.channelId ?? 'ch_test',
    publicUrl: opts.publicUrl ?? 'https://conversa.example.com',
    report: async (r) => {
      reports.push(r);
    },
  };
  return { ctx, reports, clock };
}

export function outgoing(id: string, over: Partial<OutgoingMessage> = {}): OutgoingMessage {
  return {
    id, accountId: 'acc_test', contactId: 'ct_1', to: 'ct_1', category: 'transactional',
    content: { subject: 'Your statement', text: 'Your statement is ready' }, attachments: [], headers: {},
    data: { amount: 120.5 }, links: {}, ...over,
  };
}

export interface Received {
  method: string;
  url: string;
  headers: IncomingMessage['headers'];
  body: Buffer;
}

/** A real HTTP server; `answer` decides each response from the request it recorded. */
export async function recordingServer(answer: (r: Received, res: ServerResponse) => void) {
  const received: Received[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const r = { method: req.method ?? '', url: req.url ?? '', headers: req.headers, body: Buffer.concat(chunks) };
      received.push(r);
      answer(r, res);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  return {
    base,
    received,
    async close() {
      server.closeAllConnections();
      await new Promise((r) => server.close(r));
    },
  };
}

/**
 * A bare Fastify app with the real error handling and /v1 auth, for testing one routes plugin on
 * its own (the main app may already register it once the integrator wires it in).
 */
export async function pluginApp(deps: AppDeps, register: (app: FastifyInstance) => Promise<void>): Promise<FastifyInstance> {
  const app = Fastify({ ajv: { customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true } } }).withTypeProvider<TypeBoxTypeProvider>();
  await app.register(cookie);
  installErrorHandling(app);
  installAuth(app, deps.pool);
  await register(app);
  await app.ready();
  return app;
}

/**
 * A fresh migrated database with one account and the deps routes take, without the whole app
 * (createTestApp pulls in every module's runtime, which other work in progress may break).
 */
export async function testDeps(): Promise<{ deps: AppDeps; db: TestDatabase; accountId: string; key: string; newAccount(): Promise<{ id: string; key: string }> }> {
  const db = await createTestDatabase();
  const deps: AppDeps = {
    pool: db.pool, config: { ...loadConfig({}), databaseUrl: db.url }, log: createLogger('silent'), clock: systemClock, metrics: createMetrics(db.pool),
  };
  const newAccount = async () => {
    const a = await createAccount(db.pool, { name: 'Banco de Prueba', parentId: null, actor: 'system' });
    return { id: a.id, key: a.apiKey };
  };
  const acc = await newAccount();
  return { deps, db, accountId: acc.id, key: acc.key, newAccount };
}

/** A contact in a fresh list of the account (email key), for providers that address contacts. */
export async function newContact(pool: Pool, accountId: string, fields: Record<string, unknown> = {}): Promise<string> {
  const list = await insertList(pool, {
    accountId, id: newId('lst'), name: 'Clientes', keyField: 'email', defaultCountry: 'CO', dateFormat: 'yyyy-mm-dd', decimalSeparator: '.',
    fields: [{ key: 'name', label: 'Nombre', type: 'text' }, { key: 'balance', label: 'Saldo', type: 'number' }, { key: 'due_date', label: 'Fecha', type: 'date' }],
  });
  const email = `${newId('c').toLowerCase()}@example.com`;
  const r = await upsertBatch(pool, list, [{ email, name: 'Ana', ...fields }]);
  if (r.inserted !== 1) throw new Error(`contact not created: ${JSON.stringify(r.rejected)}`);
  const { rows } = await pool.query<{ id: string }>('SELECT id FROM contacts WHERE account_id = $1 AND list_id = $2', [accountId, list.id]);
  return rows[0]!.id;
}
