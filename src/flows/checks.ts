import type { Queryable } from '../db/index.js';
import { AppError } from '../core/errors.js';
import { assertSafeUrl } from '../core/ssrf.js';
import { getList } from '../contacts/index.js';
import { checkAgainstList, definitionError, definitionProblems } from './definition/validate.js';
import type { DefinitionProblem, FlowDefinition } from './definition/types.js';

/** A problem's field as the request names it: the definition travels as `definition` in the body. */
const inBody = (p: DefinitionProblem): DefinitionProblem => ({ ...p, field: p.field ? `definition.${p.field}` : 'definition' });

/**
 * A definition as the API accepts it: valid on its own (named nodes and edges), its field names
 * known to the flow's list, and its HTTP nodes not pointing inside the network. Every problem is
 * listed in one 422.
 */
export async function checkDefinition(db: Queryable, accountId: string, listId: string, input: unknown, ssrfAllow: string[]): Promise<FlowDefinition> {
  const shape = definitionProblems(input);
  if (shape.length) throw definitionError(shape.map(inBody));
  const def = input as FlowDefinition;
  const list = await getList(db, accountId, listId);
  if (!list) throw new AppError(422, 'invalid_request', 'list_id: list not found', [{ field: 'list_id', message: 'not found' }]);
  const problems: DefinitionProblem[] = [...checkAgainstList(def, list)];
  for (const [i, node] of def.nodes.entries()) {
    if (node.type !== 'http') continue;
    try {
      await assertSafeUrl(node.url, `nodes[${i}].url`, { allow: ssrfAllow, allowUnresolved: true });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      problems.push({ field: `nodes[${i}].url`, node_id: node.id, message: err.details[0]?.message ?? err.message });
    }
  }
  if (problems.length) throw definitionError(problems.map(inBody));
  return def;
}
