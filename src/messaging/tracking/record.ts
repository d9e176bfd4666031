import type { Queryable } from '../../db/index.js';
import { newId } from '../../core/ids.js';
import { EVENTS_CHANNEL } from '../../flows/notify.js';
import type { Clock } from '../../core/clock.js';
import { recordAudit } from '../../audit/index.js';
import { recordEvent } from '../events.js';
import { optOutOfMarketing, type TokenTarget } from './store.js';

/**
 * What a click, an open and an unsubscribe record. Each takes the token's target (findToken) and
 * does its writes scoped by the target's account.
 */

/** Every click counts (no dedupe key): reports count clicks, and the status only moves forward. */
export async function recordClick(db: Queryable, clock: Clock, target: TokenTarget): Promise<void> {
  await recordEvent(db, {
    accountId: target.account_id, messageId: target.message_id, type: 'clicked', at: clock.now(), detail: { url: target.url },
  });
  // A click is also a contact event flows can wait for (DESIGN.md: "a click ends a wait").
  if (target.contact_id) {
    await db.query(
      `INSERT INTO events (account_id, id, name, contact_id, data) VALUES ($1, $2, 'message.clicked', $3, $4)`,
      [target.account_id, newId('evt'), target.contact_id, JSON.stringify({ message_id: target.message_id, template_id: target.template_id, template_name: target.template_name, url: target.url })]);
    await db.query(`NOTIFY ${EVENTS_CHANNEL}`);
  }
}

/**
 * The first open only (dedupe key 'open'): mail clients load the pixel each time the message is
 * shown, and privacy proxies prefetch it, so later loads would say nothing new and spam the
 * timeline. The status moves to `opened` all the same.
 */
export async function recordOpen(db: Queryable, clock: Clock, target: TokenTarget): Promise<void> {
  await recordEvent(db, {
    accountId: target.account_id, messageId: target.message_id, type: 'opened', at: clock.now(), dedupeKey: 'open',
  });
}

/**
 * Opts the message's contact out of marketing. Idempotent: a second POST (mailbox providers
 * retry) changes nothing and records nothing new. Pass a transaction so the consent change, the
 * event and the audit entry commit together.
 */
export async function unsubscribe(db: Queryable, clock: Clock, target: TokenTarget, via: 'one-click' | 'page'): Promise<{ changed: boolean }> {
  if (!target.contact_id) return { changed: false };
  const changed = await optOutOfMarketing(db, target.account_id, target.contact_id);
  await recordEvent(db, {
    accountId: target.account_id, messageId: target.message_id, type: 'unsubscribed', at: clock.now(),
    detail: { via }, dedupeKey: 'unsubscribe',
  });
  if (changed) {
    await recordAudit(db, {
      accountId: target.account_id, actor: 'contact', action: 'contact.unsubscribed', target: target.contact_id,
      detail: { message_id: target.message_id, category: 'marketing', via },
    });
  }
  return { changed };
}
