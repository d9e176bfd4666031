import { lookup as dnsLookup, type LookupAddress, type LookupOptions } from 'node:dns';
import { request as httpRequest, type IncomingMessage, type OutgoingHttpHeaders } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, type LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { invalid } from './errors.js';

/**
 * Server-side request forgery protection for every URL a customer gives us (webhooks, voice and
 * SMS HTTP providers, push endpoints). A customer-controlled URL must not reach our own network:
 * loopback, RFC 1918, CGNAT, link-local (the cloud metadata service at 169.254.169.254), IPv6
 * unique-local and link-local, multicast, broadcast, reserved ranges, and the IPv6 forms that
 * embed one of those IPv4 addresses. The operator may open ranges with CONVERSA_SSRF_ALLOW
 * (comma-separated CIDRs), e.g. an on-premises SMS gateway at 10.20.0.0/16.
 *
 * The check runs where the socket connects (a `lookup` hook on the request), not only when the
 * config is saved: a hostname that resolved to a public address yesterday and to 127.0.0.1 now
 * (DNS rebinding) is refused at the moment it would connect.
 */

/** Options every SSRF-checked call takes: the operator's allowed CIDRs (see `parseAllowList`). */
export interface SsrfOptions {
  allow: string[];
}

/** Thrown (or passed to the socket) when a destination is refused. `code` is stable for callers. */
export class SsrfError extends Error {
  readonly code = 'SSRF_REFUSED';
  constructor(message: string) {
    super(message);
    this.name = 'SsrfError';
  }
}

export function isSsrfError(err: unknown): err is SsrfError {
  return err instanceof SsrfError || (typeof err === 'object' && err !== null && (err as { code?: unknown }).code === 'SSRF_REFUSED');
}

type Addr = ipaddr.IPv4 | ipaddr.IPv6;

/**
 * Parses the operator's allow list: CIDRs or bare addresses separated by commas or spaces.
 * A bare address is one host (/32, /128). Returns normalised CIDRs; throws on a bad entry so a
 * typo in the environment fails at start-up rather than silently allowing nothing (or too much).
 */
export function parseAllowList(value: string | undefined | null): string[] {
  if (!value) return [];
  const out: string[] = [];
  for (const raw of value.split(/[\s,]+/)) {
    const entry = raw.trim();
    if (!entry) continue;
    let addr: Addr;
    let bits: number;
    try {
      if (entry.includes('/')) [addr, bits] = ipaddr.parseCIDR(entry);
      else {
        addr = ipaddr.parse(entry);
        bits = addr.kind() === 'ipv4' ? 32 : 128;
      }
    } catch {
      throw new Error(`CONVERSA_SSRF_ALLOW: "${entry}" is not an IP address or CIDR`);
    }
    out.push(`${addr.toString()}/${bits}`);
  }
  return out;
}

/** True when `address` (an IP literal) is inside one of the operator's allowed CIDRs. */
export function isAllowedAddress(address: string, opts: SsrfOptions): boolean {
  try {
    const addr = ipaddr.process(address); // ::ffff:a.b.c.d is judged as a.b.c.d
    return inAllowList(addr, opts.allow) || inAllowList(ipaddr.parse(address), opts.allow);
  } catch {
    return false;
  }
}

function inAllowList(addr: Addr, allow: readonly string[]): boolean {
  for (const cidr of allow) {
    let range: [Addr, number];
    try {
      range = ipaddr.parseCIDR(cidr);
    } catch {
      continue; // parseAllowList already rejected bad entries; a hand-built list is tolerated.
    }
    if (range[0].kind() === addr.kind() && addr.match(range)) return true;
  }
  return false;
}

/** The IPv4 address an IPv6 address carries, for the forms a router would deliver to it. */
function embeddedIPv4(v6: ipaddr.IPv6): ipaddr.IPv4 | undefined {
  const p = v6.parts;
  const v4 = (hi: number, lo: number) => new ipaddr.IPv4([hi >> 8, hi & 0xff, lo >> 8, lo & 0xff]);
  const range = v6.range();
  // ::ffff:a.b.c.d (mapped), ::ffff:0:a.b.c.d (RFC 6145), 64:ff9b::a.b.c.d (NAT64, RFC 6052).
  if (range === 'ipv4Mapped' || range === 'rfc6145' || range === 'rfc6052') return v4(p[6]!, p[7]!);
  // 2002:AABB:CCDD::/48 (6to4) routes to the IPv4 address AA.BB.CC.DD.
  if (range === '6to4') return v4(p[1]!, p[2]!);
  // ::a.b.c.d, the deprecated IPv4-compatible form (:: and ::1 are classified on their own).
  if (range === 'unicast' && p.slice(0, 6).every((x) => x === 0)) return v4(p[6]!, p[7]!);
  return undefined;
}

/**
 * Why an address is refused, or undefined when it may be reached. Only ordinary public unicast
 * passes; everything special (private, loopback, link-local, reserved, documentation, …) is
 * refused unless an allowed CIDR contains it.
 */
export function refusalReason(address: string, opts: SsrfOptions): string | undefined {
  let addr: Addr;
  try {
    addr = ipaddr.parse(address);
  } catch {
    return `"${address}" is not an IP address`;
  }
  if (inAllowList(addr, opts.allow)) return undefined;
  if (addr.kind() === 'ipv6') {
    const v6 = addr as ipaddr.IPv6;
    const v4 = embeddedIPv4(v6);
    if (v4) {
      // Judged by the IPv4 address it reaches: ::ffff:127.0.0.1 is loopback, 64:ff9b::808:808 is public.
      if (inAllowList(v4, opts.allow)) return undefined;
      const r = v4.range();
      return r === 'unicast' ? undefined : `${address} reaches ${v4.toString()}, which is ${r}`;
    }
  }
  const range = addr.range();
  return range === 'unicast' ? undefined : `${address} is ${range}`;
}

/**
 * A `lookup` for net/tls connect: resolves every address of the host and fails the connection
 * when any of them is refused (a host with one public and one private address is refused: which
 * one the socket would use is not ours to guess).
 */
export function safeLookup(opts: SsrfOptions): LookupFunction {
  return (hostname, options, callback) => {
    const o = options as LookupOptions;
    dnsLookup(hostname, { family: o.family ?? 0, hints: o.hints, all: true, verbatim: true }, (err, addresses: LookupAddress[]) => {
      if (err) return callback(err, '', 0);
      if (addresses.length === 0) return callback(Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' }), '', 0);
      for (const a of addresses) {
        const why = refusalReason(a.address, opts);
        if (why) return callback(new SsrfError(`${hostname} resolves to a refused address: ${why}`), '', 0);
      }
      // net asks for `all` when it races address families (autoSelectFamily); else one address.
      if (o.all) (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
      else callback(null, addresses[0]!.address, addresses[0]!.family);
    });
  };
}

function parseHttpUrl(url: string): URL | string {
  let u: URL;
  try {
    u = new URL(url);
  } catch {
    return 'is not a valid URL';
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') return 'must be an http or https URL';
  if (!u.hostname) return 'must name a host';
  return u;
}

/** The URL's host without IPv6 brackets. */
function bareHost(u: URL): string {
  return u.hostname.startsWith('[') ? u.hostname.slice(1, -1) : u.hostname;
}

/**
 * Checks a URL when a config is saved, so the operator hears about a bad URL at once (the send
 * path checks again at connect time). Throws AppError 422 naming `field`.
 */
export async function assertSafeUrl(url: string, field: string, opts: SsrfOptions & { allowUnresolved?: boolean }): Promise<void> {
  const u = parseHttpUrl(url);
  if (typeof u === 'string') throw invalid(field, u);
  const host = bareHost(u);
  let addresses: string[];
  if (isIP(host)) addresses = [host];
  else {
    try {
      addresses = await new Promise<string[]>((resolve, reject) =>
        dnsLookup(host, { all: true, verbatim: true }, (err, list) => (err ? reject(err) : resolve(list.map((a) => a.address)))),
      );
    } catch {
      // A flow may be saved before its target's DNS exists; the connect-time check still applies.
      if (opts.allowUnresolved) return;
      throw invalid(field, `host ${host} does not resolve`);
    }
  }
  for (const a of addresses) {
    const why = refusalReason(a, opts);
    if (why) throw invalid(field, `points to a private or reserved address (${why}); the operator may allow it with CONVERSA_SSRF_ALLOW`);
  }
}

export interface SafeFetchInit extends RequestInit {
  /** Whole request, response body included. Default 10 s. */
  timeoutMs?: number;
  /** Response bodies beyond this are cut (the rest is not read). Default 1 MiB. */
  maxResponseBytes?: number;
}

function requestBody(body: RequestInit['body']): Buffer | undefined {
  if (body === undefined || body === null) return undefined;
  if (typeof body === 'string') return Buffer.from(body);
  if (body instanceof URLSearchParams) return Buffer.from(body.toString());
  if (body instanceof ArrayBuffer) return Buffer.from(body);
  if (ArrayBuffer.isView(body)) return Buffer.from(body.buffer, body.byteOffset, body.byteLength);
  throw new TypeError('safeFetch: body must be a string, Buffer, Uint8Array, ArrayBuffer or URLSearchParams');
}

function errorWithCode(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

// Statuses that by definition carry no body (WHATWG Response refuses one for them).
const NULL_BODY = new Set([204, 205, 304]);

/**
 * `fetch` for customer-controlled URLs: http/https only, the destination checked at connect time
 * (see `safeLookup`), redirects not followed (a 3xx is returned as is — following one would be a
 * second, unchecked hop), a timeout over the whole exchange. Returns a WHATWG `Response` with the
 * body already read (capped at `maxResponseBytes`).
 *
 * Rejects with: `SsrfError` (code SSRF_REFUSED) for a refused destination; an Error with code
 * ETIMEDOUT on timeout; TypeError for a bad URL; the socket's error (ECONNREFUSED …) otherwise.
 */
export async function safeFetch(url: string, init: SafeFetchInit, opts: SsrfOptions): Promise<Response> {
  const u = parseHttpUrl(url);
  if (typeof u === 'string') throw new TypeError(`safeFetch: URL ${u}`);
  const host = bareHost(u);
  // net.connect skips `lookup` for an IP literal, so a literal is checked here.
  if (isIP(host)) {
    const why = refusalReason(host, opts);
    if (why) throw new SsrfError(`refused address: ${why}`);
  }
  const body = requestBody(init.body);
  const headers: OutgoingHttpHeaders = {};
  new Headers(init.headers).forEach((value, name) => {
    headers[name] = value;
  });
  if (body) headers['content-length'] = String(body.length);
  const timeoutMs = init.timeoutMs ?? 10_000;
  const maxBytes = init.maxResponseBytes ?? 1024 * 1024;
  const send = u.protocol === 'https:' ? httpsRequest : httpRequest;

  return new Promise<Response>((resolve, reject) => {
    let settled = false;
    const finish = (err: Error | null, res?: Response) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      init.signal?.removeEventListener('abort', onAbort);
      if (err) {
        req.destroy();
        reject(err);
      } else resolve(res!);
    };
    const onAbort = () => finish(errorWithCode('request aborted', 'ABORT_ERR'));
    const timer = setTimeout(() => finish(errorWithCode(`no answer within ${timeoutMs} ms`, 'ETIMEDOUT')), timeoutMs);

    const req = send(u, {
      method: init.method ?? 'GET',
      headers,
      lookup: safeLookup(opts),
      // A fresh connection per request: a pooled socket opened under another caller's allow
      // list must not be reused for this one.
      agent: false,
    }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const done = () => {
        const status = res.statusCode ?? 0;
        if (status < 200 || status > 599) return finish(errorWithCode(`unexpected HTTP status ${status}`, 'EBADSTATUS'));
        const h = new Headers();
        for (let i = 0; i + 1 < res.rawHeaders.length; i += 2) {
          try {
            h.append(res.rawHeaders[i]!, res.rawHeaders[i + 1]!);
          } catch {
            // A header undici considers malformed is dropped rather than failing the call.
          }
        }
        finish(null, new Response(NULL_BODY.has(status) ? null : Buffer.concat(chunks), { status, statusText: res.statusMessage ?? '', headers: h }));
      };
      res.on('data', (chunk: Buffer) => {
        if (size >= maxBytes) return;
        const room = maxBytes - size;
        chunks.push(chunk.length > room ? chunk.subarray(0, room) : chunk);
        size += Math.min(chunk.length, room);
        if (size >= maxBytes) {
          done();
          res.destroy();
        }
      });
      res.on('end', done);
      res.on('error', (err) => finish(err));
    });
    req.on('error', (err) => finish(err));
    if (init.signal) {
      if (init.signal.aborted) return onAbort();
      init.signal.addEventListener('abort', onAbort, { once: true });
    }
    req.end(body);
  });
}
