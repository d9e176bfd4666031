/**
 * The config form of each channel provider: which fields it has and how the form's flat text
 * values become the nested `config` object the API takes (API.md, "Messaging"). Providers not
 * described here (db_update, anything new) are edited as JSON.
 */

export type ConfigInput = 'text' | 'number' | 'secret' | 'checkbox' | 'textarea' | 'secret-textarea' | 'select' | 'json';

export interface ConfigField {
  /** Dot path into config: `auth.user`. */
  path: string;
  label: string;
  input: ConfigInput;
  required?: boolean;
  placeholder?: string;
  hint?: string;
  options?: readonly string[];
}

export interface ProviderForm {
  type: string;
  label: string;
  kind: string;
  fields: ConfigField[];
}

const SECRET_HINT = 'Write-only: shown as ******** once saved; leave it so to keep the stored value';

export const PROVIDER_FORMS: readonly ProviderForm[] = [
  {
    type: 'smtp', label: 'Email — SMTP', kind: 'email',
    fields: [
      { path: 'host', label: 'Host', input: 'text', required: true, placeholder: 'smtp.bank.example' },
      { path: 'port', label: 'Port', input: 'number', required: true, placeholder: '587' },
      { path: 'secure', label: 'TLS from the first byte (port 465)', input: 'checkbox' },
      { path: 'from', label: 'From', input: 'text', required: true, placeholder: 'Banco Ejemplo <avisos@bank.example>' },
      { path: 'auth.user', label: 'User', input: 'text' },
      { path: 'auth.pass', label: 'Password', input: 'secret', hint: SECRET_HINT },
      { path: 'return_path', label: 'Return path (bounce domain)', input: 'text', placeholder: 'bounces.bank.example' },
      { path: 'dkim.domain', label: 'DKIM domain', input: 'text' },
      { path: 'dkim.selector', label: 'DKIM selector', input: 'text' },
      { path: 'dkim.private_key', label: 'DKIM private key (PEM)', input: 'secret-textarea', hint: SECRET_HINT },
      { path: 'mps', label: 'Messages per second', input: 'number', hint: 'Unlimited when empty' },
    ],
  },
  {
    type: 'smpp', label: 'SMS — SMPP 3.4', kind: 'sms',
    fields: [
      { path: 'host', label: 'Host', input: 'text', required: true, placeholder: 'smsc.operator.example' },
      { path: 'port', label: 'Port', input: 'number', required: true, placeholder: '2775' },
      { path: 'system_id', label: 'System id', input: 'text', required: true },
      { path: 'password', label: 'Password', input: 'secret', required: true, hint: SECRET_HINT },
      { path: 'source_addr', label: 'Sender (source_addr)', input: 'text', required: true, placeholder: 'BANCO or 85432' },
      { path: 'system_type', label: 'System type', input: 'text' },
      { path: 'window', label: 'Window', input: 'number', hint: 'Outstanding submits (default 10)' },
      { path: 'mps', label: 'Messages per second', input: 'number', hint: 'Every part counts; unlimited when empty' },
    ],
  },
  {
    type: 'http_sms', label: 'SMS — HTTP API', kind: 'sms',
    fields: [
      { path: 'url', label: 'URL', input: 'text', required: true, placeholder: 'https://api.sms-provider.example/send' },
      { path: 'method', label: 'Method', input: 'select', required: true, options: ['POST', 'GET', 'PUT'] },
      { path: 'headers', label: 'Headers (JSON object)', input: 'json', placeholder: '{"Authorization": "Bearer …"}', hint: 'Every header value is write-only' },
      { path: 'body', label: 'Body (Liquid)', input: 'textarea', required: true, placeholder: '{"to": "{{ to }}", "text": {{ text | json }}}' },
      { path: 'response_id_path', label: "Path to the provider's message id", input: 'text', placeholder: 'messages.0.id' },
      { path: 'from', label: 'Sender', input: 'text' },
    ],
  },
  {
    type: 'web_push', label: 'Push — Web Push', kind: 'push',
    fields: [{ path: 'vapid_subject', label: 'VAPID subject', input: 'text', required: true, placeholder: 'mailto:ops@bank.example' }],
  },
  {
    type: 'voice', label: 'Voice — HTTP', kind: 'voice',
    fields: [
      { path: 'url', label: 'URL', input: 'text', required: true },
      { path: 'headers', label: 'Headers (JSON object)', input: 'json', hint: 'Every header value is write-only' },
    ],
  },
  {
    type: 'webhook', label: 'Webhook', kind: 'webhook',
    fields: [
      { path: 'url', label: 'URL', input: 'text', required: true, placeholder: 'https://core.bank.example/hooks/conversa' },
      { path: 'secret', label: 'Signing secret', input: 'secret', required: true, hint: SECRET_HINT },
    ],
  },
  { type: 'db_update', label: 'Database update', kind: 'db_update', fields: [] },
];

export function providerForm(type: string): ProviderForm | undefined {
  return PROVIDER_FORMS.find((p) => p.type === type);
}

/** Form values by path: text as typed, 'true'/'false' for checkboxes. */
export type ConfigValues = Record<string, string>;

function readPath(obj: unknown, path: string): unknown {
  let node = obj;
  for (const key of path.split('.')) {
    if (typeof node !== 'object' || node === null) return undefined;
    node = (node as Record<string, unknown>)[key];
  }
  return node;
}

/** A stored config as the form shows it (secrets stay masked: sending the mask back keeps them). */
export function valuesFromConfig(fields: readonly ConfigField[], config: Record<string, unknown>): ConfigValues {
  const values: ConfigValues = {};
  for (const f of fields) {
    const v = readPath(config, f.path);
    if (v === undefined || v === null) values[f.path] = f.input === 'select' ? (f.options?.[0] ?? '') : '';
    else if (f.input === 'json') values[f.path] = JSON.stringify(v, null, 2);
    else values[f.path] = String(v);
  }
  return values;
}

export function emptyValues(fields: readonly ConfigField[]): ConfigValues {
  return valuesFromConfig(fields, {});
}

export type ConfigResult = { ok: true; config: Record<string, unknown> } | { ok: false; errors: Record<string, string> };

/**
 * Builds the nested config. Blank optional fields are left out (and a group such as `auth` with
 * every member blank disappears), so an optional block is not sent half-filled by accident.
 */
export function configFromValues(fields: readonly ConfigField[], values: ConfigValues): ConfigResult {
  const config: Record<string, unknown> = {};
  const errors: Record<string, string> = {};
  for (const f of fields) {
    const raw = (values[f.path] ?? '').trim();
    let value: unknown;
    if (f.input === 'checkbox') {
      value = raw === 'true';
    } else if (raw === '') {
      if (f.required) errors[f.path] = 'Required';
      continue;
    } else if (f.input === 'number') {
      value = Number(raw);
      if (!Number.isFinite(value)) errors[f.path] = 'Not a number';
    } else if (f.input === 'json') {
      try {
        value = JSON.parse(raw);
      } catch {
        errors[f.path] = 'Not valid JSON';
      }
    } else {
      // Secrets and bodies keep their inner whitespace; only the ends are trimmed for plain fields.
      value = f.input === 'textarea' || f.input === 'secret-textarea' ? values[f.path] : raw;
    }
    setPath(config, f.path, value);
  }
  return Object.keys(errors).length > 0 ? { ok: false, errors } : { ok: true, config };
}

function setPath(obj: Record<string, unknown>, path: string, value: unknown): void {
  const keys = path.split('.');
  let node = obj;
  for (const key of keys.slice(0, -1)) {
    const next = node[key];
    if (typeof next === 'object' && next !== null) node = next as Record<string, unknown>;
    else node = node[key] = {};
  }
  node[keys[keys.length - 1]!] = value;
}
