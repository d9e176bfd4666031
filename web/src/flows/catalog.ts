import type { Entry, EntryType, FlowNode, NodeId, NodeType } from './types';

/**
 * What the designer knows about each node type: its name and icon in the palette, the node a
 * drop creates, and the one-line summary drawn on the canvas.
 */
export interface NodeKind {
  type: NodeType;
  label: string;
  icon: string;
  hint: string;
  group: 'Messages' | 'Timing' | 'Logic' | 'Data' | 'End';
}

export const NODE_KINDS: readonly NodeKind[] = [
  { type: 'send', label: 'Send', icon: '✉', hint: 'Send a template on a channel', group: 'Messages' },
  { type: 'send_fallback', label: 'Send with fallback', icon: '⇶', hint: 'Try channels in turn until one is delivered', group: 'Messages' },
  { type: 'wait', label: 'Wait', icon: '◷', hint: 'Wait a duration, until a date field or a time of day', group: 'Timing' },
  { type: 'wait_event', label: 'Wait for event', icon: '⚑', hint: 'Wait for an event, with a timeout', group: 'Timing' },
  { type: 'branch', label: 'Branch', icon: '◇', hint: 'Go one way or another by a filter', group: 'Logic' },
  { type: 'random_split', label: 'Random split', icon: '⚄', hint: 'Split contacts by percentages (A/B, hold-out)', group: 'Logic' },
  { type: 'score_split', label: 'Score split', icon: '☆', hint: 'NPS: detractor, passive, promoter', group: 'Logic' },
  { type: 'loop', label: 'Loop', icon: '↻', hint: 'Repeat a path at most N times', group: 'Logic' },
  { type: 'update_contact', label: 'Update contact', icon: '✎', hint: 'Set contact fields', group: 'Data' },
  { type: 'list', label: 'List', icon: '☰', hint: 'Add to or remove from a list', group: 'Data' },
  { type: 'subscription', label: 'Subscription', icon: '✓', hint: 'Set a consent', group: 'Data' },
  { type: 'http', label: 'HTTP request', icon: '⇄', hint: 'Call a URL; success or failure', group: 'Data' },
  { type: 'emit', label: 'Emit event', icon: '↯', hint: 'Raise an event other flows can start on', group: 'Data' },
  { type: 'exit', label: 'Exit', icon: '■', hint: 'End the run', group: 'End' },
];

export function kindOf(type: NodeType): NodeKind {
  return NODE_KINDS.find((k) => k.type === type) ?? { type, label: type, icon: '?', hint: '', group: 'Logic' };
}

/** The node a palette drop creates: every required option present, so the form can edit it. */
export function defaultNode(type: NodeType, id: NodeId, position: { x: number; y: number }): FlowNode {
  const base = { id, position };
  switch (type) {
    case 'send':
      return { ...base, type, channel_type: 'email', template_id: '' };
    case 'send_fallback':
      return { ...base, type, channels: ['sms', 'email'], templates: {}, confirm_within_seconds: 3600, next: {} };
    case 'wait':
      return { ...base, type, seconds: 86_400 };
    case 'wait_event':
      return { ...base, type, event: '', timeout_seconds: 86_400, next: {} };
    case 'branch':
      return { ...base, type, branches: [{ filter: { field: 'last.outcome', op: 'eq', value: 'event' }, next: '' }] };
    case 'random_split':
      return { ...base, type, branches: [{ percent: 50, next: '' }, { percent: 50, next: '' }] };
    case 'score_split':
      return { ...base, type, path: 'event.data.score' };
    case 'loop':
      return { ...base, type, max: 3, next: '' };
    case 'update_contact':
      return { ...base, type, set: {} };
    case 'list':
      return { ...base, type, add: '' };
    case 'subscription':
      return { ...base, type, category: 'marketing', consent: false };
    case 'http':
      return { ...base, type, method: 'POST', url: 'https://', next: {} };
    case 'emit':
      return { ...base, type, event: '' };
    case 'exit':
      return { ...base, type };
  }
}

/** "1 d 2 h", "30 min", "45 s": a duration as people say it. */
export function formatDuration(seconds: number | undefined): string {
  if (seconds === undefined || !Number.isFinite(seconds)) return '';
  if (seconds === 0) return '0 s';
  const parts: string[] = [];
  let rest = Math.round(seconds);
  for (const [unit, size] of [['d', 86_400], ['h', 3_600], ['min', 60]] as const) {
    const n = Math.floor(rest / size);
    if (n > 0) parts.push(`${n} ${unit}`);
    rest -= n * size;
  }
  if (rest > 0) parts.push(`${rest} s`);
  return parts.join(' ');
}

/** The line under a node's title: what it does, in a few words. */
export function summarize(node: FlowNode, templateName: (id: string) => string | undefined): string {
  const tpl = (id: string | undefined) => (id ? (templateName(id) ?? id) : 'no template');
  switch (node.type) {
    case 'send':
      return `${node.channel_type ?? node.channel_id ?? 'channel?'} · ${tpl(node.template_id)}`;
    case 'send_fallback':
      return `${node.channels === 'by_cost' ? 'cheapest first' : node.channels.join(' → ')} · confirm in ${formatDuration(node.confirm_within_seconds)}`;
    case 'wait':
      if (node.seconds !== undefined) return formatDuration(node.seconds);
      if (node.until_field) return `until ${node.until_field}${node.offset_days ? ` ${node.offset_days >= 0 ? '+' : ''}${node.offset_days} d` : ''}${node.at ? ` at ${node.at}` : ''}`;
      return node.at ? `until ${node.at}` : 'duration?';
    case 'wait_event':
      return `${node.event || 'event?'} · timeout ${formatDuration(node.timeout_seconds)}`;
    case 'branch':
      return `${node.branches.length} ${node.branches.length === 1 ? 'condition' : 'conditions'} + else`;
    case 'random_split':
      return node.branches.map((b) => `${b.percent}%`).join(' / ');
    case 'score_split':
      return node.path;
    case 'loop':
      return `at most ${node.max} times`;
    case 'update_contact':
      return Object.keys(node.set).join(', ') || 'nothing set';
    case 'list':
      return node.remove !== undefined ? `remove from ${node.remove || 'list?'}` : `add to ${node.add || 'list?'}`;
    case 'subscription':
      return `${node.category}: ${node.consent ? 'opt in' : 'opt out'}`;
    case 'http':
      return `${node.method} ${node.url}`;
    case 'emit':
      return node.event || 'event?';
    case 'exit':
      return 'end of the flow';
  }
}

export const ENTRY_TYPES: readonly { value: EntryType; label: string }[] = [
  { value: 'event', label: 'An event arrives' },
  { value: 'segment', label: 'A contact enters a segment' },
  { value: 'broadcast', label: 'Broadcast to a segment' },
  { value: 'date_field', label: 'A date field comes round' },
  { value: 'form', label: 'A form is submitted' },
];

/** An entry of another type, keeping what carries over (the segment). */
export function defaultEntry(type: EntryType, previous: Entry): Entry {
  const segment = 'segment_id' in previous ? previous.segment_id : '';
  switch (type) {
    case 'event':
      return { type, event: previous.type === 'event' ? previous.event : '' };
    case 'segment':
      return { type, segment_id: segment };
    case 'broadcast':
      return { type, segment_id: segment };
    case 'date_field':
      return { type, field: '', offset_days: 0, at: '09:00' };
    case 'form':
      return { type, form_id: '' };
  }
}

export function summarizeEntry(entry: Entry): string {
  switch (entry.type) {
    case 'event':
      return `when event ${entry.event || '?'} arrives`;
    case 'segment':
      return `when a contact enters segment ${entry.segment_id || '?'}`;
    case 'broadcast':
      return `broadcast to ${entry.segment_id || '?'}${entry.at ? ` at ${entry.at}` : entry.cron ? ` (${entry.cron})` : ''}`;
    case 'date_field':
      return `${entry.offset_days ? `${entry.offset_days} d from ` : 'on '}${entry.field || '?'}${entry.at ? ` at ${entry.at}` : ''}`;
    case 'form':
      return `when form ${entry.form_id || '?'} is submitted`;
  }
}
