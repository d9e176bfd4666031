import type { AppDeps } from '../../http/deps.js';
import { listChannels } from '../../channels/sql.js';
import type { ChannelCost, RunState, RunVars } from '../engine/types.js';
import type { RunRow } from './sql.js';

/** A run row as the engine's RunState (JSON dates revived). */
export function rowToState(row: RunRow): RunState {
  const vars = (row.vars ?? {}) as unknown as RunVars;
  if (vars.event && typeof vars.event.at === 'string') vars.event = { ...vars.event, at: new Date(vars.event.at) };
  return {
    id: row.id, accountId: row.account_id, flowId: row.flow_id, version: row.version, contactId: row.contact_id,
    node: row.node, status: row.status, dueAt: row.due_at, wait: row.wait, iteration: row.iteration,
    vars: { ...vars, loops: vars.loops ?? {} }, enteredAt: row.entered_at, ...(row.error ? { error: row.error } : {}),
  };
}

/** The channel kinds an account can send on and their cost, cheapest first; the sandbox counts as free. */
export async function accountChannels(deps: AppDeps, accountId: string): Promise<ChannelCost[]> {
  const rows = await listChannels(deps.pool, accountId);
  const byKind = new Map<string, number>();
  // The newest channel of a kind is the one a send by kind uses: its cost is the kind's.
  for (const c of rows) byKind.set(c.kind, Number(c.cost_per_message));
  if (deps.sandbox) for (const kind of ['email', 'sms']) if (!byKind.has(kind)) byKind.set(kind, 0);
  return [...byKind].map(([kind, cost]) => ({ kind, cost })).sort((a, b) => a.cost - b.cost);
}
