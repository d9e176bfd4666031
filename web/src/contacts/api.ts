import { api, apiUrl, request } from '../ui/api';
import type {
  Contact, ContactList, Filter, ImportJob, ImportPreview, ListPatch, NewList, SearchRequest, SearchResult, Segment,
} from './types';

const enc = encodeURIComponent;

// ---- Lists ------------------------------------------------------------------------------
export const getLists = async (signal?: AbortSignal) => (await api.get<{ lists: ContactList[] }>('/lists', undefined, signal)).lists;
export const getList = (id: string, signal?: AbortSignal) => api.get<ContactList>(`/lists/${enc(id)}`, undefined, signal);
export const createList = (body: NewList) => api.post<ContactList>('/lists', body);
export const updateList = (id: string, patch: ListPatch) => api.patch<ContactList>(`/lists/${enc(id)}`, patch);
export const deleteList = (id: string) => api.delete(`/lists/${enc(id)}`);

// ---- Contacts ---------------------------------------------------------------------------
export const searchContacts = (listId: string, body: SearchRequest, signal?: AbortSignal) =>
  api.post<SearchResult>(`/lists/${enc(listId)}/contacts/search`, body, { signal });

export const countContacts = async (listId: string, filter: Filter | undefined, signal?: AbortSignal) =>
  (await api.post<{ count: number }>(`/lists/${enc(listId)}/contacts/count`, filter ? { filter } : {}, { signal })).count;

export const updateContact = (id: string, fields: Record<string, unknown>) => api.patch<Contact>(`/contacts/${enc(id)}`, fields);
export const deleteContact = (id: string) => api.delete(`/contacts/${enc(id)}`);

export const exportUrl = (listId: string, segmentId?: string) => apiUrl(`/lists/${enc(listId)}/export`, { segment_id: segmentId });

// ---- Segments ---------------------------------------------------------------------------
export const getSegments = async (listId: string, signal?: AbortSignal) =>
  (await api.get<{ segments: Segment[] }>(`/lists/${enc(listId)}/segments`, undefined, signal)).segments;
export const createSegment = (listId: string, name: string, filter: Filter) =>
  api.post<Segment>(`/lists/${enc(listId)}/segments`, { name, filter });
export const getSegment = (id: string, signal?: AbortSignal) => api.get<Segment>(`/segments/${enc(id)}`, undefined, signal);
export const updateSegment = (id: string, patch: { name?: string; filter?: Filter }) => api.patch<Segment>(`/segments/${enc(id)}`, patch);
export const segmentCount = async (id: string, signal?: AbortSignal) =>
  (await api.get<{ count: number }>(`/segments/${enc(id)}/count`, undefined, signal)).count;
export const deleteSegment = (id: string) => api.delete(`/segments/${enc(id)}`);

// ---- Imports ----------------------------------------------------------------------------
/** What the import endpoints read: a file as picked, or pasted text. */
export type ImportSource = { kind: 'file'; file: File } | { kind: 'paste'; text: string };

/** The query's spelling of a delimiter: `,` `;` or `tab`. */
export function delimiterParam(d: string | undefined): string | undefined {
  if (d === undefined || d === '') return undefined;
  return d === '\t' || d.toLowerCase() === 'tab' ? 'tab' : d;
}

/** The body to send: pasted text is UTF-8 CSV; a file goes as its bytes (the server detects the encoding). */
export function importBody(source: ImportSource, maxBytes?: number): Blob {
  const blob = source.kind === 'file' ? source.file : new Blob([source.text], { type: 'text/csv' });
  return maxBytes !== undefined && blob.size > maxBytes ? blob.slice(0, maxBytes) : blob;
}

/** The preview reads only the start of the source: 64 KB hold far more than ten rows. */
export const PREVIEW_BYTES = 64 * 1024;

export async function previewImport(listId: string, source: ImportSource, delimiter?: string): Promise<ImportPreview> {
  const res = await request('POST', `/lists/${enc(listId)}/imports/preview`, {
    body: importBody(source, PREVIEW_BYTES), contentType: 'text/csv', query: { delimiter: delimiterParam(delimiter) },
  });
  return (await res.json()) as ImportPreview;
}

export async function startImport(
  listId: string, source: ImportSource, opts: { delimiter?: string; mapping: Record<string, string | null> },
): Promise<{ id: string; status: string }> {
  const res = await request('POST', `/lists/${enc(listId)}/imports`, {
    body: importBody(source), contentType: 'text/csv',
    query: { delimiter: delimiterParam(opts.delimiter), mapping: JSON.stringify(opts.mapping) },
  });
  return (await res.json()) as { id: string; status: string };
}

export const getImports = async (listId: string, signal?: AbortSignal) =>
  (await api.get<{ imports: ImportJob[] }>(`/lists/${enc(listId)}/imports`, undefined, signal)).imports;
export const getImport = (id: string, signal?: AbortSignal) => api.get<ImportJob>(`/imports/${enc(id)}`, undefined, signal);
export const importErrorsPath = (id: string) => `/imports/${enc(id)}/errors`;
