import type { Queryable } from '../db/index.js';

export interface AuditEntry {
  accountId: string;
  /** `key:<id>`, `user:<id>` or `system`. */
  actor: string;
  action: string;
  target?: string;
  detail?: Record<string, unknown>;
}

/** Appends to the audit trail. Callers pass their transaction so the entry commits with the change. */
export async function recordAudit(db: Queryable, e: AuditEntry): Promise<void> {
  await db.query(
    `INSERT INTO audit_log (account_id, actor, action, target, detail) VALUES ($1, $2, $3, $4, $5)`,
    [e.accountId, e.actor, e.action, e.target ?? null, JSON.stringify(e.detail ?? {})],
  );
}

export async function listAudit(
  db: Queryable,
  accountId: string,
  q: { from?: string; to?: string; actor?: string; limit?: number },
): Promise<{ at: Date; actor: string; action: string; target: string | null; detail: unknown }[]> {
  const { rows } = await db.query(
    `SELECT at, actor, action, target, detail FROM audit_log
     WHERE account_id = $1 AND ($2::timestamptz IS NULL OR at >= $2) AND ($3::timestamptz IS NULL OR at < $3)
       AND ($4::text IS NULL OR actor = $4)
     ORDER BY at DESC, id DESC LIMIT $5`,
    [accountId, q.from ?? null, q.to ?? null, q.actor ?? null, q.limit ?? 500],
  );
  return rows;
}
