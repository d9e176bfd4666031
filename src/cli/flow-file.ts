import { readFile } from 'node:fs/promises';
import { FIELD_TYPES, type FieldDef } from '../contacts/fields.js';

/**
 * Reading the files the offline flow tools take (`conversa flows …`). Anything wrong with the
 * input itself — a missing file, text that is not JSON, a contact that is not an object — is an
 * InputError: exit code 2, as opposed to 1 for a definition that is read fine but is invalid.
 */
export class InputError extends Error {
  override name = 'InputError';
}

type Obj = Record<string, unknown>;
export const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

/** A JSON file's parsed content; InputError naming the file when it cannot be read or parsed. */
export async function readJsonFile(path: string, what = 'file'): Promise<unknown> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    const why = code === 'ENOENT' ? 'no such file' : code === 'EISDIR' ? 'is a directory' : code === 'EACCES' ? 'permission denied' : (err as Error).message;
    throw new InputError(`cannot read ${what} ${path}: ${why}`);
  }
  try {
    return JSON.parse(text) as unknown;
  } catch (err) {
    throw new InputError(`${path} is not valid JSON: ${(err as Error).message}`);
  }
}

/** A flow file as it is kept in git: the bare definition, or wrapped with what the API or the examples carry. */
export interface FlowFile {
  /** The definition, not yet validated. */
  definition: unknown;
  /** Set when the definition sits under `definition` in the file: problem paths are prefixed with it. */
  wrapped: boolean;
  name?: string;
  /** The API's list id: the list itself is in the database, out of reach offline. */
  listId?: string;
  /** The examples' `list_fields`: the fields the flow expects on its list. */
  listFields?: FieldDef[];
}

/**
 * `{name, list_id, definition}` (POST /v1/flows' body), `{name, description, list_fields,
 * definition}` (examples/flows/) or the definition itself. A definition has `entry` and `nodes`
 * at the top, never `definition`: that is how the two are told apart.
 */
export function parseFlowFile(path: string, json: unknown): FlowFile {
  if (!isObj(json) || !('definition' in json) || 'nodes' in json || 'entry' in json) return { definition: json, wrapped: false };
  const file: FlowFile = { definition: json.definition, wrapped: true };
  if (typeof json.name === 'string') file.name = json.name;
  if (typeof json.list_id === 'string') file.listId = json.list_id;
  if (json.list_fields !== undefined) file.listFields = parseFields(json.list_fields, `${path}: list_fields`);
  return file;
}

/**
 * A list's fields for the field checks: an array of `{key, type}` or a list as
 * `GET /v1/lists/{id}` returns it (`{fields: […]}`). Checked enough that checkAgainstList can
 * trust them (it looks operators up by type).
 */
export function parseFields(json: unknown, where: string): FieldDef[] {
  const raw = isObj(json) && Array.isArray(json.fields) ? json.fields : json;
  if (!Array.isArray(raw)) throw new InputError(`${where}: must be an array of fields {key, type} or a list {fields: […]}`);
  return raw.map((f, i) => {
    if (!isObj(f) || typeof f.key !== 'string' || typeof f.type !== 'string') throw new InputError(`${where}[${i}]: must be a field {key, type}`);
    if (!(FIELD_TYPES as readonly string[]).includes(f.type)) throw new InputError(`${where}[${i}].type: "${f.type}" is not a field type (${FIELD_TYPES.join(', ')})`);
    return {
      key: f.key, label: typeof f.label === 'string' ? f.label : f.key, type: f.type as FieldDef['type'],
      ...(typeof f.removed_at === 'string' ? { removed_at: f.removed_at } : {}),
    };
  });
}
