import { api, request } from '../ui/api';
import type {
  Channel, MessageDetail, MessageFilters, MessagePage, NewChannel, NewSuppression, Policy, PolicyPatch, SandboxMessage,
  SendAnswer, SendRequest, Suppression, SuppressionFilters, SuppressionImportResult, SuppressionPage, SuppressionType,
  Template, TemplateDraft, TemplatePreview, ChannelKind,
} from './types';

const enc = encodeURIComponent;

/** Who a preview renders for: a contact, sample data, or both. */
export interface PreviewSample {
  contact_id?: string;
  data?: Record<string, unknown>;
}
/** A template's parts as written, saved or not: what `POST /v1/templates/preview` renders. */
export interface PreviewDraft {
  channel_type: ChannelKind;
  subject?: string;
  body: string;
}

// ---- Channels ---------------------------------------------------------------------------
export const getChannels = async (signal?: AbortSignal) => (await api.get<{ channels: Channel[] }>('/channels', undefined, signal)).channels;
export const createChannel = (body: NewChannel) => api.post<Channel>('/channels', body);
export const updateChannel = (id: string, patch: Partial<Omit<NewChannel, 'type'>>) => api.patch<Channel>(`/channels/${enc(id)}`, patch);
export const deleteChannel = (id: string) => api.delete(`/channels/${enc(id)}`);
export const testChannel = (id: string, body: { to: string; text?: string }) => api.post<SendAnswer>(`/channels/${enc(id)}/test`, body);

// ---- Templates --------------------------------------------------------------------------
export async function getTemplates(signal?: AbortSignal): Promise<Template[]> {
  const res = await api.get<{ templates: Template[] } | Template[]>('/templates', undefined, signal);
  // The list endpoint answers `{templates}` (API.md); a bare array is read the same way.
  return Array.isArray(res) ? res : res.templates;
}
export const getTemplate = (id: string, signal?: AbortSignal) => api.get<Template>(`/templates/${enc(id)}`, undefined, signal);
export const createTemplate = (body: TemplateDraft) => api.post<Template>('/templates', body);
export const updateTemplate = (id: string, patch: Partial<TemplateDraft>) => api.patch<Template>(`/templates/${enc(id)}`, patch);
export const deleteTemplate = (id: string) => api.delete(`/templates/${enc(id)}`);
export const previewTemplate = (id: string, body: PreviewSample, signal?: AbortSignal) =>
  api.post<TemplatePreview>(`/templates/${enc(id)}/preview`, body, { signal });
/** Renders an unsaved draft (the editor's live preview): same answer and errors as a saved one. */
export const previewDraft = (draft: PreviewDraft, sample: PreviewSample, signal?: AbortSignal) =>
  api.post<TemplatePreview>('/templates/preview', { ...draft, ...sample }, { signal });

// ---- Messages ---------------------------------------------------------------------------
/**
 * Sends one message with an Idempotency-Key, so a double click or a retried request sends once
 * (the caller keeps one key per intended send). The CSRF token is `request()`'s, from the session.
 */
export async function sendMessage(body: SendRequest, opts: { idempotencyKey?: string } = {}): Promise<SendAnswer> {
  const res = await request('POST', '/messages', { json: body, headers: { 'idempotency-key': opts.idempotencyKey ?? crypto.randomUUID() } });
  return (await res.json()) as SendAnswer;
}

export const getMessages = (filters: MessageFilters & { limit?: number; cursor?: string }, signal?: AbortSignal) =>
  api.get<MessagePage>('/messages', { ...filters }, signal);
export const getMessage = (id: string, signal?: AbortSignal) => api.get<MessageDetail>(`/messages/${enc(id)}`, undefined, signal);

// ---- Suppressions -----------------------------------------------------------------------
export const getSuppressions = (filters: SuppressionFilters & { limit?: number; cursor?: string }, signal?: AbortSignal) =>
  api.get<SuppressionPage>('/suppressions', { ...filters }, signal);
export const addSuppression = (body: NewSuppression) => api.post<Suppression>('/suppressions', body);
export const deleteSuppression = (id: string) => api.delete(`/suppressions/${enc(id)}`);

/** A regulator's do-not-contact list: one value per line (first column), sent as the file's bytes. */
export async function importSuppressions(list: string, type: SuppressionType, file: Blob): Promise<SuppressionImportResult> {
  const res = await request('POST', '/suppressions/imports', { query: { list, type }, body: file, contentType: 'text/csv' });
  return (await res.json()) as SuppressionImportResult;
}

// ---- Policy -----------------------------------------------------------------------------
export const getPolicy = (signal?: AbortSignal) => api.get<Policy>('/settings/policy', undefined, signal);
export const updatePolicy = (patch: PolicyPatch) => api.patch<Policy>('/settings/policy', patch);

// ---- Sandbox ----------------------------------------------------------------------------
export const getSandboxMessages = (filters: { to?: string; channel_type?: string; since?: string }, signal?: AbortSignal) =>
  api.get<SandboxMessage[]>('/sandbox/messages', { ...filters }, signal);
