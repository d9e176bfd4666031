import type { NavItem } from '../ui/layout';
import type { Route } from '../ui/router';
import { OtpDetailPage } from './otp-detail-page';
import { OtpPage } from './otp-page';
import { OtpSettingsPage } from './otp-settings-page';

/** OTP's entry in the console's navigation. */
export const OTP_NAV: NavItem[] = [{ to: '/otp', label: 'OTP', icon: '✓' }];

/** `/otp/settings` comes before `/otp/:id` so "settings" is not read as an id. */
export const OTP_ROUTES: Route[] = [
  { path: '/otp', render: () => <OtpPage /> },
  { path: '/otp/settings', render: () => <OtpSettingsPage /> },
  { path: '/otp/:id', render: (p) => <OtpDetailPage key={p.id} id={p.id ?? ''} /> },
];
