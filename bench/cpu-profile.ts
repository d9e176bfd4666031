// Reads a V8 `.cpuprofile` (node --cpu-prof) and says where the time went: self time by function
// and by module (a package under node_modules, a file of dist/ or src/, or a V8 pseudo-node such
// as "(garbage collector)").
//
//   npx tsx bench/cpu-profile.ts /tmp/prof/CPU.*.cpuprofile [--top 25]
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { table } from './lib.js';

interface CallFrame { functionName: string; url: string; lineNumber: number; columnNumber: number }
interface ProfileNode { id: number; callFrame: CallFrame; hitCount?: number; children?: number[] }
interface CpuProfile { nodes: ProfileNode[]; startTime: number; endTime: number; samples?: number[]; timeDeltas?: number[] }

export interface ProfileSummary {
  totalMs: number;
  /** Time not idle: what the process spent working. */
  busyMs: number;
  byFunction: { name: string; where: string; ms: number }[];
  byModule: { module: string; ms: number }[];
}

/** `node_modules/libphonenumber-js/...` → `libphonenumber-js`; `dist/contacts/x.js` → `dist/contacts/x.js`. */
export function moduleOf(url: string, fallback: string): string {
  if (!url) return fallback;
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  const own = /\/(dist|src|bench)\/(.*)$/.exec(url);
  if (own) return `${own[1]}/${own[2]}`;
  if (url.startsWith('node:')) return url;
  return url.replace(/^file:\/\//, '');
}

export function summariseCpuProfile(file: string): ProfileSummary {
  const p = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map<number, number>();
  const samples = p.samples ?? [];
  const deltas = p.timeDeltas ?? [];
  // A sample's time is the delta to the next sample (V8's convention: deltas[i] precedes samples[i]).
  for (let i = 0; i < samples.length; i++) {
    const dt = (deltas[i + 1] ?? 0) / 1000;
    self.set(samples[i]!, (self.get(samples[i]!) ?? 0) + dt);
  }
  const fn = new Map<string, { name: string; where: string; ms: number }>();
  const mod = new Map<string, number>();
  let total = 0;
  let idle = 0;
  for (const [id, ms] of self) {
    const n = byId.get(id);
    if (!n) continue;
    total += ms;
    const { functionName, url, lineNumber } = n.callFrame;
    const name = functionName || '(anonymous)';
    if (name === '(idle)') idle += ms;
    const where = url ? `${moduleOf(url, '')}:${lineNumber + 1}` : '';
    const k = `${name}@${where}`;
    const e = fn.get(k) ?? { name, where, ms: 0 };
    e.ms += ms;
    fn.set(k, e);
    const m = moduleOf(url, name.startsWith('(') ? name : '(native/builtin)');
    mod.set(m, (mod.get(m) ?? 0) + ms);
  }
  return {
    totalMs: total,
    busyMs: total - idle,
    byFunction: [...fn.values()].sort((a, b) => b.ms - a.ms),
    byModule: [...mod.entries()].map(([module, ms]) => ({ module, ms })).sort((a, b) => b.ms - a.ms),
  };
}

/**
 * The summaries of the `.cpuprofile` files Conversa (`--cpu-prof`) left in `dir`: all of them, or
 * only the newest. Undefined when there is none (Conversa did not exit cleanly).
 */
export function profilesIn(dir: string, opts: { newestOnly?: boolean; top?: number } = {}): string | undefined {
  let files = readdirSync(dir).filter((f) => f.endsWith('.cpuprofile')).map((f) => join(dir, f));
  if (opts.newestOnly) files = files.sort((a, b) => statSync(b).mtimeMs - statSync(a).mtimeMs).slice(0, 1);
  if (files.length === 0) return undefined;
  return files.map((f) => `${f}\n${formatProfile(summariseCpuProfile(f), opts.top)}`).join('\n\n');
}

export function formatProfile(s: ProfileSummary, top = 25): string {
  const pct = (ms: number) => `${((ms / s.busyMs) * 100).toFixed(1)} %`;
  const busy = (x: { ms: number; name?: string; module?: string }) => (x.name ?? x.module) !== '(idle)';
  return [
    `profile: ${(s.totalMs / 1000).toFixed(1)} s sampled, ${(s.busyMs / 1000).toFixed(1)} s busy (percentages are of busy time)`,
    '',
    table([['self time by module', 'ms', 'busy'], ...s.byModule.filter(busy).slice(0, top).map((m) => [m.module, m.ms.toFixed(0), pct(m.ms)])]),
    '',
    table([['self time by function', 'where', 'ms', 'busy'], ...s.byFunction.filter(busy).slice(0, top).map((f) => [f.name, f.where, f.ms.toFixed(0), pct(f.ms)])]),
  ].join('\n');
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const { values, positionals } = parseArgs({ allowPositionals: true, options: { top: { type: 'string', default: '25' } } });
  for (const f of positionals) console.log(`${f}\n${formatProfile(summariseCpuProfile(f), Number(values.top))}\n`);
}
