import type { Queryable } from '../db/index.js';
import { AppError, type ErrorDetail } from '../core/errors.js';
import { assertSafeUrl } from '../core/ssrf.js';
import { getList } from '../contacts/index.js';
import { checkAgainstList, validateDefinition } from './definition/validate.js';
import type { FlowDefinition } from './definition/types.js';

/**
 * A definition as the API accepts it: valid on its own (named nodes and edges), its field names
 * known to the flow's list, and its HTTP nodes not pointing inside the network.
 */
export async function checkDefinition(db: Queryable, accountId: string, listId: string, input: unknown, ssrfAllow: string[]): Promise<FlowDefinition> {
  const def = validateDefinition(input);
  const list = await getList(db, accountId, listId);
  if (!list) throw new AppError(422, 'invalid_request', 'list_id: list not found', [{ field: 'list_id', message: 'not found' }]);
  const details: ErrorDetail[] = [...checkAgainstList(def, list)];
  for (const [i, node] of def.nodes.entries()) {
    if (node.type !== 'http') continue;
    try {
      await assertSafeUrl(node.url, `definition.nodes[${i}].url`, { allow: ssrfAllow, allowUnresolved: true });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      details.push({ field: `definition.nodes[${i}].url`, node_id: node.id, message: err.details[0]?.message ?? err.message });
    }
  }
  if (details.length) {
    const first = details[0]!;
    throw new AppError(422, 'invalid_definition', `${first.field}: ${first.message}`, details);
  }
  return def;
}
