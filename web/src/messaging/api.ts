import { api, ApiError, apiUrl, request, type ErrorDetail } from '../ui/api';
import type {
  Channel, MessageDetail, MessageFilters, MessagePage, NewChannel, NewSuppression, Policy, PolicyPatch, SandboxMessage,
  SendAnswer, SendRequest, Suppression, SuppressionFilters, SuppressionImportResult, SuppressionPage, SuppressionType,
  Template, TemplateDraft, TemplatePreview,
} from './types';

const enc = encodeURIComponent;

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
export const previewTemplate = (id: string, body: { contact_id?: string; data?: Record<string, unknown> }, signal?: AbortSignal) =>
  api.post<TemplatePreview>(`/templates/${enc(id)}/preview`, body, { signal });

// ---- Messages ---------------------------------------------------------------------------
/**
 * Sends one message with an Idempotency-Key, so a double click or a retried request sends once.
 * `request()` in ui/api.ts takes no extra headers, hence this one direct fetch; it needs the
 * session's CSRF token (useSession().session.csrf_token) for the same reason.
 */
export async function sendMessage(body: SendRequest, opts: { csrfToken: string; idempotencyKey?: string }): Promise<SendAnswer> {
  let res: Response;
  try {
    res = await fetch(apiUrl('/messages'), {
      method: 'POST',
      credentials: 'same-origin',
      headers: {
        accept: 'application/json', 'content-type': 'application/json',
        'x-csrf-token': opts.csrfToken, 'idempotency-key': opts.idempotencyKey ?? crypto.randomUUID(),
      },
      body: JSON.stringify(body),
    });
  } catch {
    throw new ApiError(0, 'network', 'The server could not be reached. Check your connection and try again.');
  }
  const payload = (await res.json().catch(() => undefined)) as
    | (SendAnswer & { error?: { code?: string; message?: string; details?: ErrorDetail[] } })
    | undefined;
  if (res.ok && payload) return payload;
  const e = payload?.error;
  throw new ApiError(res.status, e?.code ?? 'http_error', e?.message ?? `${res.status} ${res.statusText}`, e?.details ?? []);
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
