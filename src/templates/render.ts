import { createHash } from 'node:crypto';
import mjml2html from 'mjml';
import { compile } from 'html-to-text';
import type { Template } from 'liquidjs';
import type { ChannelKind, RenderedContent } from '../channels/port.js';
import { resolveLocale } from './locale.js';
import { parseLiquid, prefetchPartials, renderLiquid, type EscapeMode, type RenderEnv } from './liquid.js';
import { partError, templateError, type TemplatePart } from './errors.js';

/** What a template can read. Language, country and time zone drive `money` and the date filters. */
export interface RenderContext {
  contact: Record<string, unknown>;
  data: Record<string, unknown>;
  account: { name: string };
  /** An OTP: the code, the code spelled for a voice call, minutes left, the context it is bound to. */
  otp?: OtpVariables;
  unsubscribe_url?: string;
  /** Overrides `contact.language` (`es`, `es-CO`). */
  language?: string;
  /** Overrides `contact.timezone` (IANA). */
  timezone?: string;
  /** Overrides `contact.country` (ISO alpha-2): the default currency and language's region. */
  country?: string;
}

export interface OtpVariables {
  code: string;
  spoken?: string;
  expires_in_minutes?: number;
  context?: Record<string, string>;
  context_text?: string;
}

export interface TemplateSource {
  channel_type: ChannelKind;
  subject?: string | null;
  body: string;
}

export interface RenderTemplateOptions {
  /** The account's own templates by name, for `{% render 'name' %}`; without it no partial exists. */
  loadPartial?: (name: string) => Promise<string | undefined>;
}

/**
 * How a body is read. Email: MJML when it starts with `<mjml>`, HTML when it has tags, else plain
 * text. db_update: a JSON object of fields. Every other kind: plain text.
 */
export type BodyFormat = 'mjml' | 'html' | 'text' | 'json';

const HTML_TAG = /<\/?[a-z][a-z0-9-]*(\s[^<>]*)?\/?>|<!doctype html/i;

export function bodyFormat(t: Pick<TemplateSource, 'channel_type' | 'body'>): BodyFormat {
  if (t.channel_type === 'db_update') return 'json';
  if (t.channel_type !== 'email') return 'text';
  if (/^\s*<mjml[\s>]/i.test(t.body)) return 'mjml';
  return HTML_TAG.test(t.body) ? 'html' : 'text';
}

// HTML and MJML bodies escape what they print (a contact named `<b>` stays text); `| raw` opts out.
const ESCAPE: Record<BodyFormat, EscapeMode> = { mjml: 'html', html: 'html', text: 'none', json: 'json' };

export interface CompiledTemplate {
  kind: ChannelKind;
  format: BodyFormat;
  subject?: Template[];
  body: Template[];
}

function parsePart(part: TemplatePart, source: string, escape: EscapeMode): Template[] {
  try {
    return parseLiquid(source, escape);
  } catch (err) {
    throw templateError(part, err);
  }
}

/** Parses subject and body; a syntax error is AppError 422 naming the part and line. */
export function compileTemplate(t: TemplateSource): CompiledTemplate {
  const format = bodyFormat(t);
  return {
    kind: t.channel_type,
    format,
    ...(t.subject ? { subject: parsePart('subject', t.subject, 'none') } : {}),
    body: parsePart('body', t.body, ESCAPE[format]),
  };
}

// Parsed templates are reused across renders: a bulk send renders one template thousands of times.
const compiled = new Map<string, CompiledTemplate>();
const COMPILED_MAX = 500;

function compileCached(t: TemplateSource): CompiledTemplate {
  const key = createHash('sha256').update(`${t.channel_type}\0${t.subject ?? ''}\0${t.body}`).digest('base64');
  let c = compiled.get(key);
  if (c) {
    // Refresh its place: the Map's order is the eviction order (least recently used first).
    compiled.delete(key);
  } else {
    c = compileTemplate(t);
    if (compiled.size >= COMPILED_MAX) compiled.delete(compiled.keys().next().value!);
  }
  compiled.set(key, c);
  return c;
}

function variablesOf(ctx: RenderContext): Record<string, unknown> {
  return {
    contact: ctx.contact,
    data: ctx.data,
    account: { name: ctx.account.name },
    ...(ctx.otp ? { otp: { ...ctx.otp } } : {}),
    ...(ctx.unsubscribe_url !== undefined ? { unsubscribe_url: ctx.unsubscribe_url } : {}),
  };
}

function envOf(ctx: RenderContext, opts: RenderTemplateOptions): RenderEnv {
  const str = (v: unknown) => (typeof v === 'string' && v ? v : undefined);
  const settings = resolveLocale({
    language: ctx.language ?? str(ctx.contact.language),
    country: ctx.country ?? str(ctx.contact.country),
    timezone: ctx.timezone ?? str(ctx.contact.timezone),
  });
  return { settings, partials: new Map(), ...(opts.loadPartial ? { loadPartial: opts.loadPartial } : {}) };
}

async function prepare(t: TemplateSource, ctx: RenderContext, opts: RenderTemplateOptions): Promise<RenderEnv> {
  const env = envOf(ctx, opts);
  if (opts.loadPartial && env.partials) await prefetchPartials([t.subject ?? '', t.body], opts.loadPartial, env.partials);
  return env;
}

async function renderPart(part: TemplatePart, templates: Template[], escape: EscapeMode, variables: Record<string, unknown>, env: RenderEnv): Promise<string> {
  try {
    return await renderLiquid(templates, escape, variables, env);
  } catch (err) {
    throw templateError(part, err);
  }
}

// Compiled once: html-to-text's convert() re-parses its selector options on every call, which was
// 26 % of a broadcast worker's CPU (bench/send-email: 472 → 56 µs per message).
const htmlToText = compile({
    wordwrap: 78,
    selectors: [
      { selector: 'img', format: 'skip' },
      // MJML's preview text sits in a hidden div: it is for the inbox list, not the body.
      { selector: 'div[style*="display:none"]', format: 'skip' },
      { selector: 'a', options: { hideLinkHrefIfSameAsText: true } },
    ],
  });

/** The plain-text part of an email, from its HTML. Links stay readable: `Pay [https://…]`. */
export function textFromHtml(html: string): string {
  return htmlToText(html).trim();
}

async function compileMjml(mjml: string, strict: boolean): Promise<{ html: string; errors: { line: number; message: string }[] }> {
  // ignoreIncludes: `<mj-include path="/etc/passwd">` must not read the server's disk.
  const out = await mjml2html(mjml, { validationLevel: 'soft', ignoreIncludes: true, keepComments: false });
  return { html: out.html, errors: strict ? out.errors.map((e) => ({ line: e.line, message: e.message })) : [] };
}

function fieldsFrom(json: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(json);
  } catch (err) {
    throw partError('body', `does not render to JSON (${(err as Error).message})`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw partError('body', 'must render to a JSON object of fields');
  return value as Record<string, unknown>;
}

/**
 * Renders a template for one recipient. Liquid runs first and MJML after, so Liquid can repeat
 * or leave out whole MJML sections (`{% for %}<mj-section>…{% endfor %}`), which compiling MJML
 * once and rendering Liquid into its HTML could not do (MJML would reject or reshape the tags);
 * it costs an MJML compile per message (~1.5 ms warm).
 *
 * Email: subject, html (HTML or MJML bodies) and a text part derived from the HTML. Push: the
 * subject is the title. db_update: `fields` from the JSON the body renders to. Errors are
 * AppError 422 naming the part (and line), limits included.
 */
export async function renderTemplate(t: TemplateSource, ctx: RenderContext, opts: RenderTemplateOptions = {}): Promise<RenderedContent> {
  const c = compileCached(t);
  const variables = variablesOf(ctx);
  const env = await prepare(t, ctx, opts);
  const out: RenderedContent = { text: '' };
  if (c.subject && (c.kind === 'email' || c.kind === 'push')) {
    // One line: a subject or title with a line break would break the header or the notification.
    out.subject = (await renderPart('subject', c.subject, 'none', variables, env)).replace(/\s+/g, ' ').trim();
  }
  const body = await renderPart('body', c.body, ESCAPE[c.format], variables, env);
  switch (c.format) {
    case 'mjml': {
      let html: string;
      try {
        html = (await compileMjml(body, false)).html;
      } catch (err) {
        throw partError('body', `MJML: ${(err as Error).message}`);
      }
      return { ...out, html, text: textFromHtml(html) };
    }
    case 'html':
      return { ...out, html: body, text: textFromHtml(body) };
    case 'json':
      return { ...out, text: body.trim(), fields: fieldsFrom(body) };
    case 'text':
      return { ...out, text: body.trim() };
  }
}

/** Errors a sample render can raise whatever the data: the template itself is too costly. */
const LIMIT_ERROR = /took longer than|builds too much|larger than|longer than|more than \d+ partials/;

/**
 * What `POST/PATCH /v1/templates` runs: syntax (AppError 422 with the part and line), then a
 * render with no contact and no data. That render is a sample: errors that depend on data are
 * left for send time, but a template that breaks a limit even so is rejected now, as is MJML
 * that does not validate and a db_update body that is not a JSON object.
 */
export async function checkTemplate(t: TemplateSource, opts: RenderTemplateOptions = {}): Promise<void> {
  const c = compileTemplate(t);
  const sample: RenderContext = { contact: {}, data: {}, account: { name: '' }, otp: { code: '000000' }, unsubscribe_url: '' };
  const env: RenderEnv = { ...(await prepare(t, sample, opts)), sample: true };
  let body: string;
  try {
    if (c.subject) await renderPart('subject', c.subject, 'none', variablesOf(sample), env);
    body = await renderPart('body', c.body, ESCAPE[c.format], variablesOf(sample), env);
  } catch (err) {
    if (LIMIT_ERROR.test((err as Error).message)) throw err;
    return;
  }
  if (c.format === 'json') fieldsFrom(body);
  if (c.format === 'mjml') {
    let errors: { line: number; message: string }[];
    try {
      errors = (await compileMjml(body, true)).errors;
    } catch (err) {
      throw partError('body', `MJML: ${(err as Error).message}`);
    }
    const first = errors[0];
    if (first) throw partError('body', `MJML: ${first.message}`, first.line);
  }
}
