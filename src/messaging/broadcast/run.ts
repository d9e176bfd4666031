import type { AppDeps } from '../../http/deps.js';
import type { JobHandler } from '../../jobs/index.js';
import { withTransaction } from '../../db/index.js';
import { AppError } from '../../core/errors.js';
import { newId } from '../../core/ids.js';
import { getList } from '../../contacts/index.js';
import { validateFilter, whereFor, requireSegment, SqlParams, type SqlFragment } from '../../contacts/segments/index.js';
import type { ContactRow } from '../../contacts/sql/contacts.js';
import type { ChannelKind } from '../../channels/port.js';
import { loadChannel } from '../../channels/service.js';
import { accountPartials, getTemplate, renderLocale, renderTemplate, type TemplateRow } from '../../templates/index.js';
import { loadAccountPolicy } from '../policy/index.js';
import { addressFor, contactFields, loadAccountInfo, type AccountInfo, type Recipient } from '../compose.js';
import { prepareMessage, unsubscribeFor, type PreparedMessage } from '../prepare.js';
import { writeMessages } from '../sql/write-messages.js';
import { decideBatch } from './batch-policy.js';
import { advanceBroadcast, finishBroadcast, getBroadcast, type BroadcastRow } from './sql.js';

export const BROADCAST_JOB = 'messaging.broadcast';
export const BROADCAST_BATCH = 1000;

/**
 * The broadcast job: walks the segment's contacts in id order, 1,000 at a time. Each batch is
 * rendered and gated in memory, then its messages (with outbox entries) and the cursor past it
 * commit in one transaction — so a worker killed at any point resumes after the last committed
 * batch: no contact twice, none skipped. The outbox workers start sending while later batches
 * are still being prepared.
 */
export function broadcastJobHandler(deps: AppDeps): JobHandler {
  return async ({ job, signal }) => {
    const { account_id: accountId, broadcast_id: id } = job.payload as { account_id: string; broadcast_id: string };
    const b = await getBroadcast(deps.pool, accountId, id);
    if (!b || b.status === 'done' || b.status === 'failed') return 'done';
    const plan = await planBroadcast(deps, b).catch(async (err: unknown) => {
      if (!(err instanceof AppError)) throw err;
      await finishBroadcast(deps.pool, accountId, id, 'failed', err.message);
      return undefined;
    });
    if (!plan) return 'done';
    let cursor = b.cursor;
    for (;;) {
      if (signal.aborted) return 'released';
      const contacts = await nextContacts(deps, b, plan.where, cursor);
      if (contacts.length === 0) break;
      const batch = await prepareBatch(deps, b, plan, contacts);
      cursor = contacts[contacts.length - 1]!.id;
      const counts = { cursor, total: contacts.length, queued: 0, deferred: 0, suppressed: 0, skipped: contacts.length - batch.length };
      for (const p of batch) counts[p.message.status === 'deferred' ? 'deferred' : p.message.status === 'suppressed' ? 'suppressed' : 'queued']++;
      const from = b.cursor;
      const committed = await withTransaction(deps.pool, async (tx) => {
        // Locked and compared: if another worker took the job over (an expired lease) and moved
        // the cursor, its batches stand and this one is dropped — never written twice.
        const current = await getBroadcast(tx, accountId, id, { forUpdate: true });
        if (!current || current.cursor !== from) return false;
        await writeMessages(tx, accountId, batch);
        await advanceBroadcast(tx, accountId, id, counts);
        return true;
      });
      if (!committed) return 'done';
      b.cursor = cursor;
    }
    await finishBroadcast(deps.pool, accountId, id, 'done');
    return 'done';
  };
}

interface Plan {
  account: AccountInfo;
  channel: NonNullable<Awaited<ReturnType<typeof loadChannel>>>;
  template: TemplateRow;
  list: NonNullable<Awaited<ReturnType<typeof getList>>>;
  where: SqlFragment;
  policy: Awaited<ReturnType<typeof loadAccountPolicy>>;
  loadPartial: (name: string) => Promise<string | undefined>;
}

async function planBroadcast(deps: AppDeps, b: BroadcastRow): Promise<Plan> {
  const gone = (what: string) => new AppError(422, 'invalid_request', `${what} no longer exists`);
  const account = await loadAccountInfo(deps.pool, b.account_id);
  const channel = await loadChannel(deps.pool, b.account_id, b.channel_id, deps.sandbox);
  if (!channel) throw gone('the channel');
  const template = await getTemplate(deps.pool, b.account_id, b.template_id);
  if (!template) throw gone('the template');
  const list = await getList(deps.pool, b.account_id, b.list_id);
  if (!list) throw gone('the list');
  const filter = b.segment_id ? validateFilter(list, (await requireSegment(deps.pool, b.account_id, b.segment_id)).filter) : undefined;
  const where = await whereFor(deps, list, filter);
  const partials = accountPartials(deps.pool, b.account_id);
  const cache = new Map<string, Promise<string | undefined>>();
  const loadPartial = (name: string) => {
    let p = cache.get(name);
    if (!p) cache.set(name, (p = partials(name)));
    return p;
  };
  return { account, channel, template, list, where, policy: await loadAccountPolicy(deps.pool, b.account_id), loadPartial };
}

async function nextContacts(deps: AppDeps, b: BroadcastRow, where: SqlFragment, after: string | null): Promise<ContactRow[]> {
  const p = new SqlParams([b.account_id, b.list_id]);
  const { rows } = await deps.pool.query<ContactRow>(
    `SELECT c.account_id, c.id, c.list_id, c.key_value, c.data, c.created_at, c.updated_at
     FROM contacts c
     WHERE c.account_id = $1 AND c.list_id = $2 AND c.erased_at IS NULL AND (${where(p)})
       ${after ? `AND c.id > ${p.add(after, 'text')}` : ''}
     ORDER BY c.id LIMIT ${p.add(BROADCAST_BATCH, 'integer')}`,
    p.values,
  );
  return rows;
}

/** Render and gate one batch. A contact without an address on this channel, or whose message does not render, is skipped. */
async function prepareBatch(deps: AppDeps, b: BroadcastRow, plan: Plan, contacts: ContactRow[]): Promise<PreparedMessage[]> {
  const kind = plan.channel.kind as ChannelKind;
  const recipients: Recipient[] = [];
  for (const c of contacts) {
    try {
      recipients.push(addressFor(plan.account, c.id, contactFields(c, plan.list), undefined, kind, plan.list.default_country));
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
    }
  }
  const decisions = await decideBatch(deps.pool, {
    accountId: b.account_id, category: b.category, channelKind: kind, now: deps.clock.now(), policy: plan.policy,
  }, recipients);
  const out: PreparedMessage[] = [];
  for (let i = 0; i < recipients.length; i++) {
    // Rendering is CPU-bound: let the outbox loops of this process send between slices, so a
    // broadcast's sending overlaps its preparation instead of waiting behind each batch.
    if (i % 50 === 49) await new Promise((resolve) => setImmediate(resolve));
    const r = recipients[i]!;
    const unsubscribe = unsubscribeFor(r, deps.config.publicUrl);
    let content;
    try {
      content = await renderTemplate({ channel_type: kind, subject: plan.template.subject, body: plan.template.body }, {
        contact: r.fields, data: b.data, account: { name: plan.account.name }, unsubscribe_url: unsubscribe.links.unsubscribe,
        ...renderLocale(r.fields, r.listCountry, plan.account),
      }, { loadPartial: plan.loadPartial });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      deps.log.warn({ broadcast: b.id, contact: r.contactId, error: err.message }, 'broadcast message did not render; skipped');
      continue;
    }
    out.push(prepareMessage({
      accountId: b.account_id, id: newId('msg'), channel: plan.channel, recipient: r, content, templateId: plan.template.id,
      templateName: plan.template.name, decision: decisions[i]!, category: b.category, data: b.data, attachments: b.attachments,
      unsubscribe, publicUrl: deps.config.publicUrl, source: { kind: 'broadcast', broadcast_id: b.id, campaign: plan.template.name },
    }));
  }
  return out;
}

