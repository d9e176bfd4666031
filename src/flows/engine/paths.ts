import type { EventData } from './types.js';

/**
 * Dotted paths over plain data, as flows name them: `data.transaction_id` in an event,
 * `event.data.score`, `contact.nps` or a bare contact field `paid` in filters and splits.
 */

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The value at `path` ("a.b.0.c"; array items by index), or undefined. Own properties only. */
export function readPath(root: unknown, path: string): unknown {
  let cur: unknown = root;
  for (const part of path.split('.')) {
    if (Array.isArray(cur) && /^\d+$/.test(part)) cur = cur[Number(part)];
    else if (isRecord(cur) && Object.prototype.hasOwnProperty.call(cur, part)) cur = cur[part];
    else return undefined;
  }
  return cur;
}

/**
 * An event as a plain object: `at` as its ISO string, so filters compare it like a datetime field.
 * (A run's vars read back from JSON hold `at` as a string already.)
 */
export function eventObject(event: EventData): Record<string, unknown> {
  const at: unknown = event.at;
  return { name: event.name, data: event.data, at: at instanceof Date ? at.toISOString() : at };
}

/**
 * A path inside an event. `data.x`, `name` and `at` read the event itself; any other path is read
 * inside its data, so `event.transaction_id` and `event.data.transaction_id` both work (API.md
 * says the prefix reaches "the event's data").
 */
export function readEventPath(event: EventData | undefined, path: string): unknown {
  if (!event) return undefined;
  const head = path.split('.', 1)[0];
  if (head === 'data' || head === 'name' || head === 'at') return readPath(eventObject(event), path);
  return readPath(event.data, path);
}

/** What filters, splits and `until_field` can read. */
export interface Scope {
  contact: Record<string, unknown>;
  event?: EventData;
  last?: Record<string, unknown>;
}

/**
 * `event.<path>` → the event, `last.<key>` → the previous step's outcome, `contact.<field>` or a
 * bare `<field>` → the contact. Contact field keys are lower-case identifiers without dots
 * (contacts/fields.ts), so a bare key never collides with these prefixes.
 */
export function resolveField(field: string, scope: Scope): unknown {
  const dot = field.indexOf('.');
  if (dot > 0) {
    const prefix = field.slice(0, dot);
    const rest = field.slice(dot + 1);
    if (prefix === 'event') return readEventPath(scope.event, rest);
    if (prefix === 'last') return readPath(scope.last, rest);
    if (prefix === 'contact') return readPath(scope.contact, rest);
  }
  return readPath(scope.contact, field);
}
