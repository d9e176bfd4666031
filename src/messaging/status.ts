/**
 * Message statuses and the order they move in. A status only moves forward: a replayed or
 * out-of-order receipt (a `delivered` after `clicked`, an ENROUTE after DELIVRD) records its event
 * but leaves the status alone.
 */
export const MESSAGE_STATUSES = [
  'queued', 'deferred', 'suppressed', 'sent', 'failed', 'bounced', 'delivered', 'opened', 'clicked', 'complained',
] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** Rank of each status; a status change is applied only to a higher rank. */
export const STATUS_RANK: Record<MessageStatus, number> = {
  queued: 0,
  deferred: 1,
  suppressed: 9, // decided before sending and final
  sent: 2,
  failed: 3,
  bounced: 3,
  delivered: 4,
  opened: 5,
  clicked: 6,
  complained: 7,
};

/** SQL expression giving the rank of a status column or parameter, from the table above. */
export function rankSql(expr: string): string {
  const cases = Object.entries(STATUS_RANK).map(([s, r]) => `WHEN '${s}' THEN ${r}`).join(' ');
  return `(CASE ${expr} ${cases} END)`;
}

/** The status an event moves a message to, if any. */
export function statusForEvent(type: string): MessageStatus | undefined {
  switch (type) {
    case 'sent': case 'delivered': case 'opened': case 'clicked': case 'bounced': case 'failed': case 'complained':
      return type;
    default:
      return undefined; // answered, unsubscribed, deferred, retry…: timeline only
  }
}
