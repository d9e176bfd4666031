import { activeFields, type FieldDef, type ListSchema } from '../../contacts/fields.js';
import { OPS_BY_TYPE } from '../../contacts/segments/filter-schema.js';
import { conditionsOf } from './filter-shape.js';
import type { DefinitionProblem, FlowDefinition } from './types.js';

/**
 * The part of validation that needs the flow's contact list: every contact field the definition
 * reads or writes exists on the list (active, or standard), with a type that fits its use. Runs
 * on a definition validateDefinition() accepted; returns problems in the same shape (empty: fine).
 * Fields under `event.` and `last.` are not the list's and are not checked.
 */
export function checkAgainstList(def: FlowDefinition, list: Pick<ListSchema, 'fields'>): DefinitionProblem[] {
  const fields = new Map(activeFields(list).map((f) => [f.key, f]));
  const problems: DefinitionProblem[] = [];
  const need = (key: string, field: string, nodeId: string | undefined, types?: readonly FieldDef['type'][]): void => {
    const def = fields.get(key);
    const node = nodeId === undefined ? {} : { node_id: nodeId };
    if (!def) problems.push({ field, ...node, message: `"${key}" is not a field of this list` });
    else if (types && !types.includes(def.type)) problems.push({ field, ...node, message: `"${key}" is a ${def.type} field; this needs ${types.join(' or ')}` });
  };
  const DATES = ['date', 'datetime'] as const;

  if (def.entry.type === 'date_field') need(def.entry.field, 'entry.field', undefined, DATES);
  def.nodes.forEach((node, i) => {
    const at = `nodes[${i}]`;
    switch (node.type) {
      case 'wait':
        // A date in the event (event.data.date) is the caller's, not the list's.
        if (node.until_field !== undefined && !node.until_field.startsWith('event.')) {
          need(node.until_field.replace(/^contact\./, ''), `${at}.until_field`, node.id, DATES);
        }
        break;
      case 'update_contact':
        for (const key of Object.keys(node.set)) need(key, `${at}.set.${key}`, node.id);
        break;
      case 'score_split':
        if (node.path.startsWith('contact.')) need(node.path.slice('contact.'.length), `${at}.path`, node.id, ['number']);
        break;
      case 'branch':
        node.branches.forEach((b, k) => {
          for (const c of conditionsOf(b.filter, `${at}.branches[${k}].filter`)) {
            if (c.field.startsWith('event.') || c.field.startsWith('last.')) continue;
            const def = fields.get(c.field);
            if (!def) need(c.field, `${c.path}.field`, node.id);
            else if (!OPS_BY_TYPE[def.type].includes(c.op)) {
              problems.push({ field: `${c.path}.op`, node_id: node.id, message: `"${c.op}" does not apply to ${def.type} field "${c.field}" (use ${OPS_BY_TYPE[def.type].join(', ')})` });
            }
          }
        });
        break;
      default:
        break;
    }
  });
  return problems;
}
