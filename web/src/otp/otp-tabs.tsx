import { Tabs } from '../ui/layout';

/** The OTP page's two faces: what happened (overview) and the limits (settings). */
export function OtpTabs({ active }: { active: 'overview' | 'settings' }) {
  return (
    <Tabs
      active={active}
      tabs={[
        { key: 'overview', label: 'Overview', to: '/otp' },
        { key: 'settings', label: 'Rate limits', to: '/otp/settings' },
      ]}
    />
  );
}
