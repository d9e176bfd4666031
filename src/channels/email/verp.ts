/**
 * VERP (variable envelope return path): each message goes out with its own bounce address,
 * `bounce+{accountId}.{messageId}@{return-path domain}`, so a bounce names the message it is
 * about even when the remote MTA's report is unparsable or leaves the original out. Ids are
 * `[A-Za-z0-9_]` only (core/ids.ts), so `.` separates them unambiguously.
 */
const ID = /^[A-Za-z0-9_]+$/;
const VERP = /bounce\+([A-Za-z0-9_]+)(?:\.([A-Za-z0-9_]+))?@/i;

export function verpAddress(accountId: string, messageId: string, domain: string): string {
  if (!ID.test(accountId) || !ID.test(messageId)) throw new Error('VERP ids must be [A-Za-z0-9_]');
  return `bounce+${accountId}.${messageId}@${domain}`;
}

/** Is this local part one of ours (`bounce` or `bounce+…`)? The receiver takes nothing else. */
export function isBounceMailbox(address: string): boolean {
  const local = address.slice(0, address.lastIndexOf('@')).toLowerCase();
  return local === 'bounce' || local.startsWith('bounce+');
}

/**
 * Finds a VERP address anywhere in `text` (a bare address, `<…>`, `rfc822; …`) and returns its
 * ids. The message id is missing when the address carried only the account.
 */
export function parseVerp(text: string): { accountId: string; messageId?: string } | null {
  const m = VERP.exec(text);
  if (!m?.[1]) return null;
  return m[2] ? { accountId: m[1], messageId: m[2] } : { accountId: m[1] };
}

export function isId(value: string): boolean {
  return ID.test(value);
}
