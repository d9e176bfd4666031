import { AppError } from '../core/errors.js';
import { LIMITS } from './liquid.js';

/** Which part of a template an error is in: the API names it as the field. */
export type TemplatePart = 'body' | 'subject';

interface LiquidLikeError {
  message: string;
  originalError?: unknown;
  token?: { file?: string; getPosition?(): [number, number] };
}

// liquidjs' own words, turned into what a template author can act on.
const REWRITES: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^tag "(end\w+|else|elsif|when)" not found$/, (m) => `unexpected "${m[1]}"`],
  [/^tag "(\w+)" not found$/, (m) => `unknown tag "${m[1]}"`],
  [/^tag (\{%.*%\}) not closed$/s, (m) => `${m[1]} is not closed`],
  [/^undefined filter: (\S+)$/, (m) => `unknown filter "${m[1]}"`],
  // V8's own limit on a string (~512 M characters), reached by doubling a string in a loop.
  [/^(memory alloc limit exceeded|Invalid string length)$/, () => 'the template builds too much (a loop or a string is too large)'],
  [/^template render limit exceeded$/, () => `rendering took longer than ${LIMITS.renderMs} ms`],
  [/^parse length limit exceeded$/, () => `the template is longer than ${LIMITS.parseChars / 1024} KB`],
  [/^ENOENT: Failed to lookup "(.*)" in .*$/s, (m) => `partial "${m[1]}" not found`],
];

function describe(raw: string): string {
  const message = raw.replace(/, (line|file):.*$/s, '').trim();
  for (const [re, say] of REWRITES) {
    const m = re.exec(message);
    if (m) return say(m);
  }
  return message;
}

/** The chain of errors liquidjs wrapped, outermost first (a render error wraps a partial's, which wraps the filter's). */
function chain(err: LiquidLikeError): LiquidLikeError[] {
  const out = [err];
  for (let e = err; out.length < 10 && e.originalError instanceof Error; ) {
    e = e.originalError as LiquidLikeError;
    out.push(e);
  }
  return out;
}

/**
 * AppError 422 naming the part and, when liquidjs knows it, the line: `body line 3: unexpected
 * "endif"`, details `[{field: "body", line: 3, message: …}]`. An error inside a partial names
 * the partial, since its line is not a line of this template.
 */
export function templateError(part: TemplatePart, err: unknown): AppError {
  if (err instanceof AppError) return err;
  const errors = chain((err instanceof Error ? err : new Error(String(err))) as LiquidLikeError);
  const deepest = errors[errors.length - 1]!;
  // The deepest error that knows where it happened: in this template, or in a partial.
  const located = [...errors].reverse().find((e) => e.token?.getPosition);
  const position = located?.token?.getPosition?.();
  const partial = located?.token?.file;
  const message = describe(deepest.message);
  if (partial) return partError(part, `${message} (in partial "${partial}"${position ? ` line ${position[0]}` : ''})`);
  return partError(part, message, position?.[0]);
}

/** `body line 3: unexpected "endif"` (or `body: …` without a line), as AppError 422. */
export function partError(part: TemplatePart, message: string, line?: number): AppError {
  const detail = line === undefined ? message : `line ${line}: ${message}`;
  return new AppError(422, 'invalid_request', line === undefined ? `${part}: ${message}` : `${part} ${detail}`, [
    { field: part, message: detail, ...(line === undefined ? {} : { line }) },
  ]);
}
