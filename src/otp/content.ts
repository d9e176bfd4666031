import type { OtpChannel } from './options.js';

/** Languages with built-in OTP wording; others get English. */
type Lang = 'es' | 'en' | 'pt' | 'uk';

const SPANISH = new Set(['AR', 'BO', 'CL', 'CO', 'CR', 'CU', 'DO', 'EC', 'ES', 'GT', 'HN', 'MX', 'NI', 'PA', 'PE', 'PR', 'PY', 'SV', 'UY', 'VE']);

/** The message language: asked for, else the contact's, else the country's, else English. */
export function otpLanguage(asked: string | undefined, contactLanguage: unknown, country: string | null): string {
  if (asked) return asked;
  if (typeof contactLanguage === 'string' && /^[a-z]{2}/i.test(contactLanguage)) return contactLanguage;
  if (country && SPANISH.has(country)) return 'es';
  if (country === 'BR' || country === 'PT') return 'pt';
  if (country === 'UA') return 'uk';
  return 'en';
}

const WORDS: Record<Lang, { code: string; expires: string; share: string; subject: string; voice: string; repeat: string; for: string }> = {
  es: { code: 'es tu código de verificación de', expires: 'Vence en {{ otp.expires_in_minutes }} min.', share: 'No lo compartas con nadie.', subject: 'Tu código de verificación', voice: 'Su código de verificación es', repeat: 'Repito', for: 'Para' },
  en: { code: 'is your verification code for', expires: 'It expires in {{ otp.expires_in_minutes }} min.', share: 'Never share it.', subject: 'Your verification code', voice: 'Your verification code is', repeat: 'Again', for: 'For' },
  pt: { code: 'é o seu código de verificação de', expires: 'Expira em {{ otp.expires_in_minutes }} min.', share: 'Não o compartilhe.', subject: 'Seu código de verificação', voice: 'Seu código de verificação é', repeat: 'Repito', for: 'Para' },
  uk: { code: '— ваш код підтвердження для', expires: 'Дійсний {{ otp.expires_in_minutes }} хв.', share: 'Нікому його не повідомляйте.', subject: 'Ваш код підтвердження', voice: 'Ваш код підтвердження', repeat: 'Повторюю', for: 'Для' },
};

function wordsFor(language: string) {
  const lang = language.slice(0, 2).toLowerCase();
  return WORDS[(lang in WORDS ? lang : 'en') as Lang];
}

/**
 * The built-in message when no template is given: Liquid over `otp.*` and `account.name`, in the
 * message's language. The context the code is bound to (amount, payee) is shown, as PSD2 asks.
 */
export function defaultContent(channel: OtpChannel, language: string): { subject?: string; body: string } {
  const w = wordsFor(language);
  const ctx = `{% if otp.context_text %} ${w.for}: {{ otp.context_text }}.{% endif %}`;
  switch (channel) {
    case 'sms':
      return { body: `{{ otp.code }} ${w.code} {{ account.name }}.${ctx} ${w.expires} ${w.share}` };
    case 'push':
      return { subject: w.subject, body: `{{ otp.code }} ${w.code} {{ account.name }}.${ctx} ${w.expires}` };
    case 'email':
      // Not in the subject: mail gateways and lock screens log and show subjects.
      return { subject: `${w.subject} — {{ account.name }}`, body: `{{ otp.code }} ${w.code} {{ account.name }}.${ctx}\n\n${w.expires} ${w.share}` };
    case 'voice':
      return { body: `${w.voice}: {{ otp.spoken }}. ${w.repeat}: {{ otp.spoken }}.` };
  }
}

/** "amount: 1.250.000 COP, payee: Almacenes Éxito" */
export function contextText(context: Record<string, string> | null): string {
  if (!context) return '';
  return Object.entries(context).map(([k, v]) => `${k}: ${v}`).join(', ');
}
