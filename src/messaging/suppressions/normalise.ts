import { parsePhoneNumberFromString, type CountryCode } from 'libphonenumber-js';
import { normaliseEmail } from '../../contacts/field-types.js';

export const SUPPRESSION_TYPES = ['email', 'phone'] as const;
export type SuppressionType = (typeof SUPPRESSION_TYPES)[number];

export type NormalisedValue = { ok: true; value: string } | { ok: false; reason: string };

/**
 * The form suppressions are stored and matched in: emails wholly lower-cased (a mailbox is
 * case-insensitive in practice, and an opt-out must not be dodged by `Ana@` vs `ana@`), phones
 * in E.164. A phone without `+` is read in `defaultCountry` (the account's country), which also
 * accepts a national number with its country code but no `+` (`573001234567`), as regulator
 * files often carry.
 */
export function normaliseSuppressionValue(type: SuppressionType, raw: string, defaultCountry: string | null): NormalisedValue {
  const s = raw.trim();
  if (s === '') return { ok: false, reason: 'is empty' };
  if (type === 'email') {
    const e = normaliseEmail(s);
    return e.ok ? { ok: true, value: String(e.value).toLowerCase() } : { ok: false, reason: e.reason };
  }
  return normalisePhone(s, defaultCountry);
}

function normalisePhone(s: string, defaultCountry: string | null): NormalisedValue {
  // libphonenumber digs numbers out of free text; a suppression value must be only a number.
  if (s.length > 40 || /[a-z@]/i.test(s.replace(/^tel:/i, ''))) {
    return { ok: false, reason: `"${s.slice(0, 40)}" is not a phone number` };
  }
  const country = (defaultCountry ?? undefined) as CountryCode | undefined;
  let p = parsePhoneNumberFromString(s, country);
  if ((!p || !p.isValid()) && /^\d{8,15}$/.test(s)) p = parsePhoneNumberFromString(`+${s}`);
  if (!p || !p.isValid()) {
    return { ok: false, reason: `"${s}" is not a valid phone number${defaultCountry ? ` for ${defaultCountry}` : ' (give it with +country code, or set the account\'s country)'}` };
  }
  return { ok: true, value: p.number };
}
