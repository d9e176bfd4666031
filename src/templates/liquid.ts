import { AsyncLocalStorage } from 'node:async_hooks';
import { Context, Liquid, filters as builtinFilters, toPromise, toValue, type Emitter, type FS, type FilterImplOptions, type Template } from 'liquidjs';
import { DATE_STYLES, formatDate, formatMoney, toInstant, type DateStyle, type LocaleSettings } from './locale.js';

/**
 * Sandboxed Liquid. Templates are written by bank staff, but a template is still code run on
 * every send, so it gets no file system, no prototypes, and hard limits on size, time, memory
 * and output: a runaway loop fails in well under a second with a clear error.
 */

export const LIMITS = {
  /** Characters of template text per parse (the template, and each partial). */
  parseChars: 256 * 1024,
  /** Wall time of one render, partials included (those named literally are loaded before the clock starts). */
  renderMs: 200,
  /** liquidjs "memory": array elements of ranges, characters built by filters (append, join, …). */
  memoryUnits: 2_000_000,
  /** Characters of output of one part (subject, body). */
  outputChars: 256 * 1024,
  /** Partial reads in one render: stops a partial that includes itself. */
  partialReads: 200,
} as const;

// liquidjs exports the filter type only as part of a union; these name its two halves.
// eslint-disable-next-line @typescript-eslint/no-explicit-any -- liquidjs' own signature: filters take any values
type FilterHandler = Extract<FilterImplOptions, (...args: any[]) => any>;
type FilterImpl = ThisParameterType<FilterHandler>;
const builtinDate = builtinFilters.date as FilterHandler;

/** What one render needs besides its variables: how to format, and where partials come from. */
export interface RenderEnv {
  settings: LocaleSettings;
  /** The account's own templates by name, for `{% render 'name' %}` / `{% include %}`. */
  loadPartial?: (name: string) => Promise<string | undefined>;
  /**
   * A check render with no data (on create/update). db_update bodies then print a missing value
   * as `""` instead of `null`, so a value wrongly put inside quotes (`"{{ data.x }}"`) breaks the
   * JSON at once rather than at send time.
   */
  sample?: boolean;
  /** Partials already looked up, by name: shared by the parts of one message (see prefetchPartials). */
  partials?: Map<string, Promise<string | undefined>>;
}

interface RenderState extends RenderEnv {
  // Each name is looked up once per render: a partial used in a loop costs one query.
  partials: Map<string, Promise<string | undefined>>;
  partialReads: number;
}

// `{% render 'footer' %}`, `{%- include "header" -%}`, `{% layout 'base' %}`: a name in quotes.
const LITERAL_PARTIAL = /\{%-?\s*(?:render|include|layout)\s+(['"])([^'"]{1,200})\1/g;

/**
 * Loads the partials a template names literally (and those they name, a few levels deep) into
 * `partials` before rendering. The render's time limit is wall time: a partial fetched from a
 * busy database during the render would count against it and fail a send that did nothing wrong.
 */
export async function prefetchPartials(
  sources: readonly string[],
  loadPartial: (name: string) => Promise<string | undefined>,
  partials: Map<string, Promise<string | undefined>>,
): Promise<void> {
  let pending = [...sources];
  for (let depth = 0; depth < 3 && pending.length && partials.size < LIMITS.partialReads; depth++) {
    const names = new Set<string>();
    for (const src of pending) {
      for (const m of src.matchAll(LITERAL_PARTIAL)) {
        if (partials.size + names.size >= LIMITS.partialReads) break;
        if (!partials.has(m[2]!)) names.add(m[2]!);
      }
    }
    for (const name of names) partials.set(name, loadPartial(name));
    const loaded = await Promise.all([...names].map((n) => partials.get(n)!));
    pending = loaded.filter((x): x is string => x !== undefined);
  }
}

/**
 * The engines are shared (building one costs ~60 µs and a bulk send renders thousands), but the
 * file-system hook and the filters need the current render's account and locale. They find it
 * here: the render runs inside `current.run(state, …)`, and every await inside liquidjs keeps it.
 */
const current = new AsyncLocalStorage<RenderState>();

function state(): RenderState {
  const s = current.getStore();
  if (!s) throw new Error('template rendered outside renderLiquid()');
  return s;
}

class OutputTooLarge extends Error {}

/**
 * Partials by name from `loadPartial`, never from disk: `{% include '/etc/passwd' %}` asks the
 * loader for a template named "/etc/passwd", which the account does not have.
 */
const partialFs: FS = {
  resolve: (_dir, name) => name,
  contains: async () => true,
  exists: async (name) => (await readPartial(name)) !== undefined,
  readFile: async (name) => {
    const s = state();
    if (++s.partialReads > LIMITS.partialReads) throw new Error(`more than ${LIMITS.partialReads} partials rendered (does a partial include itself?)`);
    const text = await readPartial(name);
    if (text === undefined) throw new Error(`partial "${name}" not found`);
    return text;
  },
  // Partials load from the database, so only the async render path exists.
  existsSync: () => false,
  readFileSync: () => {
    throw new Error('partials are only available to async rendering');
  },
};

function readPartial(name: string): Promise<string | undefined> {
  const s = state();
  let p = s.partials.get(name);
  if (!p) {
    p = s.loadPartial ? s.loadPartial(name) : Promise.resolve(undefined);
    s.partials.set(name, p);
  }
  return p;
}

function toNumber(value: unknown, filter: string): number | undefined {
  if (value === null || value === undefined || value === '') return undefined;
  const n = typeof value === 'number' ? value : typeof value === 'string' ? Number(value.trim()) : NaN;
  if (!Number.isFinite(n)) throw new Error(`${filter}: ${JSON.stringify(value)} is not a number`);
  return n;
}

function dateFilter(withTime: boolean) {
  const name = withTime ? 'local_datetime' : 'local_date';
  return function (this: FilterImpl, value: unknown, style: unknown = 'short'): string {
    if (value === null || value === undefined || value === '') return '';
    if (!DATE_STYLES.includes(style as DateStyle)) throw new Error(`${name}: style must be one of ${DATE_STYLES.join(', ')}`);
    const instant = toInstant(value);
    if (!instant) throw new Error(`${name}: ${JSON.stringify(value)} is not a date`);
    return formatDate(instant, style as DateStyle, state().settings, withTime);
  };
}

const FILTERS = {
  /** `{{ contact.balance | money }}` in the contact's currency, `| money: "USD"` in another. */
  money(this: FilterImpl, value: unknown, currency?: unknown): string {
    const amount = toNumber(value, 'money');
    if (amount === undefined) return '';
    const code = currency === undefined || currency === null ? state().settings.currency : String(currency).toUpperCase();
    if (code !== undefined && !/^[A-Z]{3}$/.test(code)) throw new Error(`money: "${code}" is not an ISO 4217 currency code`);
    try {
      return formatMoney(amount, code, state().settings.locale);
    } catch {
      throw new Error(`money: "${code}" is not a currency Intl knows`);
    }
  },
  local_date: dateFilter(false),
  local_datetime: dateFilter(true),
  /** Liquid's `date` (strftime), but in the contact's time zone rather than the server's. */
  date(this: FilterImpl, value: unknown, format?: unknown, timezone?: unknown): unknown {
    return builtinDate.call(this, value, format, timezone ?? state().settings.timezone);
  },
};

/**
 * db_update bodies print every value as a JSON literal, so data cannot break out of its place:
 * `{"name": {{ data.name }}}` with a name of `x", "consent_marketing": true` stays one string.
 * A missing value prints `null` (liquidjs' own `json` escape would print nothing: invalid JSON).
 * Values are written bare, never inside quotes: `{"note": {{ "Paid " | append: data.amount }}}`.
 */
function jsonLiteral(this: FilterImpl, value: unknown): string {
  const v = toValue(value) ?? (current.getStore()?.sample ? '' : null);
  const s = JSON.stringify(v) ?? 'null';
  this.context.memoryLimit.use(s.length);
  return s;
}

/** How output is escaped: none (text, subjects), HTML (email bodies), JSON (db_update fields). */
export type EscapeMode = 'none' | 'html' | 'json';

function makeEngine(escape: EscapeMode): Liquid {
  const engine = new Liquid({
    fs: partialFs,
    root: ['templates'],
    relativeReference: false,
    extname: '',
    cache: false,
    strictFilters: true,
    ownPropertyOnly: true,
    parseLimit: LIMITS.parseChars,
    renderLimit: LIMITS.renderMs,
    memoryLimit: LIMITS.memoryUnits,
    ...(escape === 'html' ? { outputEscape: 'escape' as const } : escape === 'json' ? { outputEscape: jsonLiteral } : {}),
  });
  for (const [name, fn] of Object.entries(FILTERS)) engine.registerFilter(name, fn);
  return engine;
}

const engines: Record<EscapeMode, Liquid> = { none: makeEngine('none'), html: makeEngine('html'), json: makeEngine('json') };

/** Parses (and checks) a template; throws liquidjs' ParseError with the line on bad syntax. */
export function parseLiquid(source: string, escape: EscapeMode): Template[] {
  return engines[escape].parse(source);
}

/** As liquidjs prints a value: nil as nothing, arrays joined, a Drop by its value. */
function stringify(value: unknown): string {
  const v = toValue(value);
  if (typeof v === 'string') return v;
  if (v === null || v === undefined) return '';
  if (Array.isArray(v)) return v.map(stringify).join('');
  return String(v);
}

/** Stops the render as soon as the output passes the limit, instead of building it first. */
class LimitedEmitter implements Emitter {
  buffer = '';
  write(html: unknown): void {
    this.buffer += stringify(html);
    if (this.buffer.length > LIMITS.outputChars) throw new OutputTooLarge(`output is larger than ${LIMITS.outputChars / 1024} KB`);
  }
}

export async function renderLiquid(templates: Template[], escape: EscapeMode, variables: Record<string, unknown>, env: RenderEnv): Promise<string> {
  const engine = engines[escape];
  const run: RenderState = { ...env, partials: env.partials ?? new Map(), partialReads: 0 };
  return current.run(run, async () => {
    const ctx = new Context(variables, engine.options, {}, { liquid: engine });
    const emitter = new LimitedEmitter();
    await toPromise(engine.renderer.renderTemplates(templates, ctx, emitter));
    return emitter.buffer;
  });
}
