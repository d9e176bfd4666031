import { Badge } from '../ui/controls';

type Tone = 'neutral' | 'info' | 'success' | 'warning' | 'danger';

/** How a message status or event type reads at a glance: green reached the person, red did not. */
export function statusTone(status: string): Tone {
  switch (status) {
    case 'delivered':
    case 'opened':
    case 'clicked':
      return 'success';
    case 'sent':
      return 'info';
    case 'deferred':
    case 'suppressed':
      return 'warning';
    case 'bounced':
    case 'failed':
    case 'complained':
      return 'danger';
    default:
      return 'neutral';
  }
}

export function StatusBadge({ status }: { status: string }) {
  return <Badge tone={statusTone(status)}>{status}</Badge>;
}

/** A JSON value as indented text; strings stay as they are. */
export function JsonBlock({ value, testId }: { value: unknown; testId?: string }) {
  const text = typeof value === 'string' ? value : JSON.stringify(value, null, 2);
  return <pre className="code-block" data-testid={testId}>{text}</pre>;
}
