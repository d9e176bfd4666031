import { isIP } from 'node:net';
import { AppError } from '../core/errors.js';
import { assertSafeUrl, parseAllowList } from '../core/ssrf.js';
import type { FieldDef } from '../contacts/fields.js';
import { checkAgainstList, definitionProblems } from '../flows/definition/validate.js';
import type { DefinitionProblem, FlowDefinition } from '../flows/definition/types.js';
import { parseFlowFile, readJsonFile, type FlowFile } from './flow-file.js';

/**
 * `conversa flows validate`: the checks POST /v1/flows runs (src/flows/checks.ts), without a
 * server. What needs the database is replaced or skipped, and the report says which:
 * - the list's fields come from the file's `list_fields` or `--list`; without them the field
 *   checks are skipped (a `{name, list_id, definition}` file names a list only the server has);
 * - the http URL check runs only where it needs no DNS (an IP address or localhost): what a
 *   host name resolves to from a CI machine says nothing about the server's network.
 */

export interface ValidateReport {
  file: string;
  valid: boolean;
  problems: DefinitionProblem[];
  /** Where the list fields came from, or null when the field checks were skipped. */
  fields: 'list_fields' | '--list' | null;
  nodes: number;
  /** The list a `{name, list_id, definition}` file names (only the server has it). */
  listId?: string;
}

export async function validateFile(path: string, listFields: FieldDef[] | undefined): Promise<ValidateReport> {
  const file = parseFlowFile(path, await readJsonFile(path, 'flow file'));
  const { problems, fields } = await fileProblems(file, listFields);
  const nodes = Array.isArray((file.definition as { nodes?: unknown } | null)?.nodes) ? (file.definition as { nodes: unknown[] }).nodes.length : 0;
  return { file: path, valid: problems.length === 0, problems, fields, nodes, ...(file.listId ? { listId: file.listId } : {}) };
}

/** Every problem of the file's definition, with paths into the file as written. */
export async function fileProblems(file: FlowFile, listFields: FieldDef[] | undefined): Promise<{ problems: DefinitionProblem[]; fields: ValidateReport['fields'] }> {
  const fieldsFrom = listFields ? '--list' : file.listFields ? 'list_fields' : null;
  const inFile = (p: DefinitionProblem): DefinitionProblem => (file.wrapped ? { ...p, field: p.field ? `definition.${p.field}` : 'definition' } : p);
  const shape = definitionProblems(file.definition);
  // As the API does: the list and URL checks assume a definition of the right shape.
  if (shape.length) return { problems: shape.map(inFile), fields: fieldsFrom };
  const def = file.definition as FlowDefinition;
  const fields = listFields ?? file.listFields;
  const problems = [...(fields ? checkAgainstList(def, { fields }) : []), ...(await offlineUrlProblems(def))];
  return { problems: problems.map(inFile), fields: fieldsFrom };
}

async function offlineUrlProblems(def: FlowDefinition): Promise<DefinitionProblem[]> {
  const allow = parseAllowList(process.env.CONVERSA_SSRF_ALLOW);
  const problems: DefinitionProblem[] = [];
  for (const [i, node] of def.nodes.entries()) {
    if (node.type !== 'http' || !needsNoDns(node.url)) continue;
    try {
      await assertSafeUrl(node.url, `nodes[${i}].url`, { allow, allowUnresolved: true });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      problems.push({ field: `nodes[${i}].url`, node_id: node.id, message: err.details[0]?.message ?? err.message });
    }
  }
  return problems;
}

/** An address, localhost, or a URL that does not parse (assertSafeUrl names why, before any lookup). */
function needsNoDns(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '').toLowerCase();
  } catch {
    return true;
  }
  return isIP(host) !== 0 || host === 'localhost' || host.endsWith('.localhost');
}

/** A problem as one line, in the words of the API's 422: `nodes[1].next.timeout (node "wait1"): points to …`. */
export function problemLine(p: DefinitionProblem): string {
  return `${p.field || 'definition'}${p.node_id === undefined ? '' : ` (node "${p.node_id}")`}: ${p.message}`;
}

/** The text report of one file, and its exit code's share: 0 valid, 1 invalid. */
export function reportText(r: ValidateReport): string {
  if (r.valid) {
    const fields = r.fields !== null ? `fields checked against ${r.fields}`
      : r.listId ? `list ${r.listId} is on the server: field checks skipped (give its fields with --list)` : 'no list given: field checks skipped';
    return `${r.file}: ok (${r.nodes} node${r.nodes === 1 ? '' : 's'}; ${fields})\n`;
  }
  const n = r.problems.length;
  return `${r.file}: ${n} problem${n === 1 ? '' : 's'}\n${r.problems.map((p) => `  ${problemLine(p)}\n`).join('')}`;
}
