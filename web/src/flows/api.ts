import { api } from '../ui/api';
import type {
  Flow, FlowApproval, FlowDefinition, FlowExample, FlowRun, FlowStats, FlowVersion, FlowVersionSummary, SimulateRequest, SimulateResult,
} from './types';

const enc = encodeURIComponent;

export const getFlows = async (signal?: AbortSignal) => (await api.get<{ flows: Flow[] }>('/flows', undefined, signal)).flows;
export const getFlow = (id: string, signal?: AbortSignal) => api.get<Flow>(`/flows/${enc(id)}`, undefined, signal);
export const getExamples = async (signal?: AbortSignal) =>
  (await api.get<{ examples: FlowExample[] }>('/flows/examples', undefined, signal)).examples;

export const createFlow = (body: { name: string; list_id: string; definition: FlowDefinition }) => api.post<Flow>('/flows', body);
export const saveDraft = (id: string, body: { name?: string; definition: FlowDefinition }) => api.put<Flow>(`/flows/${enc(id)}`, body);
export const publishFlow = (id: string) => api.post<{ version: number; published_at: string }>(`/flows/${enc(id)}/publish`, {});

export const getVersions = async (id: string, signal?: AbortSignal) =>
  (await api.get<{ versions: FlowVersionSummary[] }>(`/flows/${enc(id)}/versions`, undefined, signal)).versions;
export const getVersion = (id: string, version: number, signal?: AbortSignal) =>
  api.get<FlowVersion>(`/flows/${enc(id)}/versions/${version}`, undefined, signal);

export const getStats = (id: string, signal?: AbortSignal) => api.get<FlowStats>(`/flows/${enc(id)}/stats`, undefined, signal);

/** Simulates the saved draft for a sample contact on a virtual clock; nothing is sent. */
export const simulateFlow = (id: string, body: SimulateRequest) => api.post<SimulateResult>(`/flows/${enc(id)}/simulate`, body);

export const getApprovals = async (id: string, signal?: AbortSignal) =>
  (await api.get<{ approvals: FlowApproval[] }>(`/flows/${enc(id)}/approvals`, undefined, signal)).approvals;
/** Sends a held broadcast to the rest of its segment (approver role or higher; 409 once released). */
export const releaseApproval = (id: string, approvalId: string) =>
  api.post<{ id: string; status: 'released'; started: number }>(`/flows/${enc(id)}/approvals/${enc(approvalId)}/release`, {});

/** The latest runs of the flow, newest first; one contact's with `contact_id` (limit 1–500, default 50). */
export const getRuns = async (id: string, query: { contact_id?: string; limit?: number }, signal?: AbortSignal) =>
  (await api.get<{ runs: FlowRun[] }>(`/flows/${enc(id)}/runs`, query, signal)).runs;
