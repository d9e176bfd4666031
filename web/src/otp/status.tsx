import { Badge } from '../ui/controls';

type Tone = 'neutral' | 'info' | 'success' | 'warning' | 'danger';

/** How an OTP's state reads at a glance: green was verified, red never could be. */
export function otpTone(status: string): Tone {
  switch (status) {
    case 'verified':
      return 'success';
    case 'pending':
      return 'info';
    case 'expired':
      return 'warning';
    case 'too_many_attempts':
    case 'undeliverable':
      return 'danger';
    default:
      return 'neutral';
  }
}

export function OtpStatusBadge({ status }: { status: string }) {
  return <Badge tone={otpTone(status)}>{status.replace(/_/g, ' ')}</Badge>;
}

/** The console's roles, least first (src/accounts/roles.ts): settings need admin. */
const ROLES = ['viewer', 'editor', 'approver', 'admin', 'owner'];

export function roleAtLeast(role: string, least: string): boolean {
  const have = ROLES.indexOf(role);
  return have >= 0 && have >= ROLES.indexOf(least);
}
