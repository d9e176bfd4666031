import type { OtpDelivery, OtpView } from './types';

/** A 0..1 ratio as a percentage; a dash when there is nothing to divide by. */
export function formatPercent(ratio: number | null | undefined): string {
  if (ratio === null || ratio === undefined || !Number.isFinite(ratio)) return '—';
  return `${(ratio * 100).toFixed(ratio >= 0.995 || ratio === 0 ? 0 : 1)} %`;
}

/** A latency in ms: whole ms up to 10 s, seconds above (an email can take minutes). */
export function formatLatency(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 10_000) return `${Math.round(ms)} ms`;
  if (ms < 600_000) return `${(ms / 1000).toFixed(1)} s`;
  return `${(ms / 60_000).toFixed(0)} min`;
}

/** Where the code went, as the server masked it: phone and/or email (else the contact it went to). */
export function destinationOf(o: Pick<OtpView, 'to' | 'contact_id'>): string {
  const masked = [o.to.phone, o.to.email].filter(Boolean).join(' · ');
  return masked || (o.contact_id ? `contact ${o.contact_id}` : '');
}

/** "in 4 min" / "2 h ago": how an expiry reads at a glance next to its exact time. */
export function relativeTo(iso: string, now = Date.now()): string {
  const t = Date.parse(iso);
  if (Number.isNaN(t)) return '';
  const diff = t - now;
  const abs = Math.abs(diff);
  const amount = abs < 60_000 ? `${Math.round(abs / 1000)} s` : abs < 3600_000 ? `${Math.round(abs / 60_000)} min` : abs < 86_400_000 ? `${Math.round(abs / 3600_000)} h` : `${Math.round(abs / 86_400_000)} d`;
  return diff >= 0 ? `in ${amount}` : `${amount} ago`;
}

/** A delivery's state in one word: the message's status, or `skipped` for a channel passed over. */
export function deliveryStatus(d: OtpDelivery): string {
  if (d.outcome === 'skipped') return 'skipped';
  return d.status ?? 'queued';
}

/** "amount: 1.250.000 COP, payee: Almacenes Éxito": the context an OTP is bound to. */
export function contextText(context: Record<string, string>): string {
  return Object.entries(context).map(([k, v]) => `${k}: ${v}`).join(', ');
}

/** The time of day only (the OTP's own dates are shown beside it); the full date in the title. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) return '';
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleTimeString();
}
