import { relative, isAbsolute } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { flowExamples } from '../flows/examples.js';
import { InputError, parseFields, readJsonFile } from './flow-file.js';
import { reportText, validateFile, type ValidateReport } from './flows-validate.js';
import { simulateFile, timelineJson, timelineText } from './flows-simulate.js';

/**
 * `conversa flows …`: offline tools for flow definitions kept in git (CI runs them; no database,
 * no server). Exit codes: 0 fine, 1 a definition is invalid, 2 a usage error or a file that
 * cannot be read or parsed.
 */

export const FLOWS_USAGE = `Usage: conversa flows <command>

Offline tools for flow definitions kept as JSON files (no database, no server):
  validate <file.json>... [--list list.json] [--json]
      the checks the API runs on save; prints "ok" or every problem with the node it belongs to.
      A file is a definition, {name, list_id, definition} or an example {…, list_fields, definition}.
      The contact-field checks run against list_fields or --list (a list as GET /v1/lists/{id}
      returns it, or its fields array); without either they are skipped.
  simulate <file.json> [--contact contact.json] [--events events.json] [--start-at ISO]
           [--timezone TZ] [--channels email=0.0004,sms=0.02,…] [--outcomes push=no_address,…] [--json]
      the path one contact would take, on a virtual clock (as POST /v1/flows/{id}/simulate).
      events.json: [{name, after_seconds, data?}] or {trigger?: {name, data?}, events: […]}.
      Defaults: start now, the contact's timezone else UTC, channels push 0, email 0.0004,
      sms 0.02, voice 0.12; sends are delivered and http calls succeed at once (--outcomes
      gives a channel type another fate: failed, bounced, no_address, timeout, …).
  examples
      the ready-made flows in examples/flows/, with their titles.

Exit codes: 0 ok, 1 invalid definition, 2 usage error or unreadable file.`;

/** examples/flows/, from dist/cli/ or src/cli/ alike (as flows/examples.ts finds it). */
const EXAMPLES_DIR = fileURLToPath(new URL('../../examples/flows/', import.meta.url));

class UsageError extends Error {}

/** Runs `conversa flows <argv>`; resolves to the exit code. */
export async function runFlows(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  try {
    switch (command) {
      case 'validate':
        return await validateCommand(rest);
      case 'simulate':
        return await simulateCommand(rest);
      case 'examples':
        if (rest.length) throw new UsageError(`examples takes no arguments`);
        return await examplesCommand();
      case undefined:
      case 'help':
      case '--help':
        process.stdout.write(FLOWS_USAGE + '\n');
        return 0;
      default:
        throw new UsageError(`unknown command "flows ${command}"`);
    }
  } catch (err) {
    if (err instanceof InputError) {
      process.stderr.write(`conversa: ${err.message}\n`);
      return 2;
    }
    // parseArgs's own errors (unknown option, missing value) are usage errors too.
    if (err instanceof UsageError || (err as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      process.stderr.write(`conversa: ${(err as Error).message}\n\n${FLOWS_USAGE}\n`);
      return 2;
    }
    throw err;
  }
}

async function validateCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args, allowPositionals: true, options: { list: { type: 'string' }, json: { type: 'boolean' } } });
  if (positionals.length === 0) throw new UsageError('validate needs a flow file');
  const fields = values.list ? parseFields(await readJsonFile(values.list, 'list file'), values.list) : undefined;
  let code = 0;
  const reports: (ValidateReport | { file: string; error: string })[] = [];
  // Every file is reported, even after one that could not be read: CI shows all at once.
  for (const file of positionals) {
    try {
      const r = await validateFile(file, fields);
      reports.push(r);
      if (!values.json) process.stdout.write(reportText(r));
      code = Math.max(code, r.valid ? 0 : 1);
    } catch (err) {
      if (!(err instanceof InputError)) throw err;
      reports.push({ file, error: err.message });
      if (!values.json) process.stderr.write(`conversa: ${err.message}\n`);
      code = 2;
    }
  }
  if (values.json) process.stdout.write(JSON.stringify({ files: reports }, null, 2) + '\n');
  return code;
}

async function simulateCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args, allowPositionals: true,
    options: {
      contact: { type: 'string' }, events: { type: 'string' }, 'start-at': { type: 'string' },
      timezone: { type: 'string' }, channels: { type: 'string' }, outcomes: { type: 'string' }, json: { type: 'boolean' },
    },
  });
  const [file, ...extra] = positionals;
  if (file === undefined) throw new UsageError('simulate needs a flow file');
  if (extra.length) throw new UsageError(`simulate takes one flow file, not ${positionals.length}`);
  const outcome = await simulateFile(file, {
    ...(values.contact !== undefined ? { contact: values.contact } : {}),
    ...(values.events !== undefined ? { events: values.events } : {}),
    ...(values['start-at'] !== undefined ? { startAt: values['start-at'] } : {}),
    ...(values.timezone !== undefined ? { timezone: values.timezone } : {}),
    ...(values.channels !== undefined ? { channels: values.channels } : {}),
    ...(values.outcomes !== undefined ? { outcomes: values.outcomes } : {}),
  });
  if (values.json) process.stdout.write(JSON.stringify(timelineJson(outcome), null, 2) + '\n');
  else if (outcome.problems) process.stdout.write(`${file}: ${outcome.problems.length} problem${outcome.problems.length === 1 ? '' : 's'}, nothing simulated\n${outcome.problems.map((p) => `  ${p}\n`).join('')}`);
  else process.stdout.write(timelineText(outcome));
  return outcome.problems ? 1 : 0;
}

async function examplesCommand(): Promise<number> {
  const examples = await flowExamples();
  if (examples.length === 0) {
    process.stderr.write(`conversa: no examples in ${EXAMPLES_DIR}\n`);
    return 1;
  }
  // A path the user can paste into `conversa flows validate`: relative when under the current directory.
  const rel = relative(process.cwd(), EXAMPLES_DIR);
  const dir = rel === '' || rel.startsWith('..') || isAbsolute(rel) ? EXAMPLES_DIR : `${rel}/`;
  const files = examples.map((e) => `${dir}${e.slug}.json`);
  const width = Math.max(...files.map((f) => f.length));
  examples.forEach((e, i) => process.stdout.write(`${files[i]!.padEnd(width)}  ${e.name}\n`));
  return 0;
}
