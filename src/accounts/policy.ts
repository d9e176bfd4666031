import { Type, type Static } from 'typebox';

const Day = Type.Union(['mon', 'tue', 'wed', 'thu', 'fri', 'sat', 'sun'].map((d) => Type.Literal(d)));
const HourMinute = Type.String({ pattern: '^([01]\\d|2[0-3]):[0-5]\\d$|^24:00$', description: 'HH:MM, local time of the contact' });

export const SendingWindow = Type.Object({
  category: Type.String({ minLength: 1, maxLength: 64 }),
  channel_type: Type.Optional(Type.String({ minLength: 1, maxLength: 32 })),
  days: Type.Array(Day, { minItems: 1, maxItems: 7 }),
  from: HourMinute,
  to: HourMinute,
}, { additionalProperties: false });

export const PolicyPatch = Type.Object({
  timezone: Type.Optional(Type.String({ minLength: 1, maxLength: 64 })),
  country: Type.Optional(Type.Union([Type.String({ pattern: '^[A-Z]{2}$' }), Type.Null()])),
  sending_windows: Type.Optional(Type.Array(SendingWindow, { maxItems: 100 })),
  holidays: Type.Optional(Type.Object({
    enabled: Type.Boolean(),
    categories: Type.Array(Type.String({ minLength: 1, maxLength: 64 }), { maxItems: 20 }),
  }, { additionalProperties: false })),
  frequency_caps: Type.Optional(Type.Object({
    day: Type.Optional(Type.Integer({ minimum: 0 })),
    week: Type.Optional(Type.Integer({ minimum: 0 })),
    month: Type.Optional(Type.Integer({ minimum: 0 })),
  }, { additionalProperties: false })),
  /** Replace the sending windows with a regulator's preset. */
  preset: Type.Optional(Type.Union([Type.Literal('co_ley_2300'), Type.Literal('tcpa')])),
}, { additionalProperties: false });
export type PolicyPatch = Static<typeof PolicyPatch>;

const WEEKDAYS = ['mon', 'tue', 'wed', 'thu', 'fri'] as const;

/** Colombia's Ley 2300 de 2023: Mon–Fri 7–19, Sat 8–15, never Sundays or holidays. TCPA: 8–21 local. */
export const PRESETS = {
  co_ley_2300: {
    sending_windows: [
      { category: 'marketing', days: [...WEEKDAYS], from: '07:00', to: '19:00' },
      { category: 'marketing', days: ['sat'], from: '08:00', to: '15:00' },
    ],
    holidays: { enabled: true, categories: ['marketing'] },
  },
  tcpa: {
    sending_windows: [{ category: 'marketing', days: [...WEEKDAYS, 'sat', 'sun'], from: '08:00', to: '21:00' }],
    holidays: { enabled: false, categories: [] as string[] },
  },
} as const;

export function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat('en-US', { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

export interface PolicyView {
  timezone: string;
  country: string | null;
  sending_windows: unknown[];
  holidays: { enabled: boolean; categories: string[] };
  frequency_caps: { day?: number; week?: number; month?: number };
}

export function policyView(a: { timezone: string; country: string | null; policy: Record<string, unknown> }): PolicyView {
  const p = a.policy as Partial<PolicyView>;
  return {
    timezone: a.timezone,
    country: a.country,
    sending_windows: p.sending_windows ?? [],
    holidays: p.holidays ?? { enabled: false, categories: [] },
    frequency_caps: p.frequency_caps ?? {},
  };
}
