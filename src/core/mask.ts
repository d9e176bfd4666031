/** PII masking for logs and for anything shown to a role that may not see the value. */
export function maskEmail(email: string): string {
  const at = email.lastIndexOf('@');
  if (at < 1) return '***';
  return `${email[0]}***@${email.slice(at + 1)}`;
}

export function maskPhone(phone: string): string {
  if (phone.length <= 4) return '***';
  return `${phone.slice(0, 3)}***${phone.slice(-2)}`;
}

/** Masks anything that looks like an email address or a phone number inside free text. */
export function maskPii(text: string): string {
  return text
    .replace(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g, (m) => maskEmail(m))
    .replace(/\+?\d[\d ()-]{7,}\d/g, (m) => maskPhone(m.replace(/[ ()-]/g, '')));
}
