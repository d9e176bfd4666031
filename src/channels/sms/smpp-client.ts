import smpp from 'smpp';
import type { Logger } from '../../core/logger.js';
import { AbortedError, Pacer, Window, backoffMs } from './flow-control.js';
import { SMPP_STATUS, smppStatusName } from './smpp-tlv.js';

export interface SmppClientOptions {
  host: string;
  port: number;
  systemId: string;
  password: string;
  systemType?: string;
  /** At most this many submit_sm awaiting their submit_sm_resp. */
  window: number;
  /** At most this many submit_sm per second (undefined: unlimited). */
  mps?: number;
  log: Logger;
  /** Handles a deliver_sm from the SMSC; resolves to the command_status of the deliver_sm_resp. */
  onDeliver(pdu: smpp.PDU): Promise<number>;
  bindTimeoutMs?: number;
  /** A submit_sm without a response after this long fails (transient). */
  responseTimeoutMs?: number;
  /** How long a submit waits for the session to be (re)bound before failing transient. */
  sessionWaitMs?: number;
  enquireLinkMs?: number;
  backoff?: { baseMs: number; maxMs: number };
}

/** A submit that did not get a successful response. `transient`: the dispatcher should retry. */
export class SmppSubmitError extends Error {
  constructor(message: string, readonly transient: boolean) {
    super(message);
    this.name = 'SmppSubmitError';
  }
}

/**
 * One bound SMPP transceiver session to an SMSC, kept up: when it drops it is rebuilt with
 * exponential backoff. Submits go through a window (outstanding submit_sm) and a pacer
 * (submit_sm per second). A submit in flight when the session drops fails transient; a submit made
 * while reconnecting waits up to `sessionWaitMs` for the new session.
 */
export class SmppClient {
  private session: smpp.Session | undefined;
  private closing = false;
  private attempt = 0;
  private reconnectTimer: NodeJS.Timeout | undefined;
  private enquireTimer: NodeJS.Timeout | undefined;
  private readonly boundWaiters = new Set<{ resolve: (s: smpp.Session) => void; reject: (e: Error) => void }>();
  // Per session, how to fail each submit still waiting for its response when the session drops.
  private readonly inFlight = new Map<smpp.Session, Set<(err: Error) => void>>();
  private readonly window: Window;
  private readonly pacer: Pacer;

  constructor(private readonly opts: SmppClientOptions) {
    this.window = new Window(opts.window);
    this.pacer = new Pacer(opts.mps);
  }

  /** How many submit_sm await their response now (for tests and metrics). */
  get outstanding(): number {
    return this.window.outstanding;
  }

  get bound(): boolean {
    return this.session !== undefined;
  }

  /** Connects and binds once; rejects when that fails (wrong password, unreachable host). */
  async start(): Promise<void> {
    await this.bindOnce();
  }

  /** Sends one submit_sm and resolves to its response, whatever its command_status. */
  async submit(params: Record<string, unknown>, signal?: AbortSignal): Promise<smpp.PDU> {
    await this.window.acquire(signal);
    try {
      await this.boundSession(signal);
      await this.pacer.take(signal);
      // The session may have dropped while we waited for our turn.
      const session = await this.boundSession(signal);
      return await this.request(session, new smpp.PDU('submit_sm', params));
    } finally {
      this.window.release();
    }
  }

  /** Unbinds and closes; no reconnect afterwards. Submits still waiting fail transient. */
  async close(): Promise<void> {
    this.closing = true;
    clearTimeout(this.reconnectTimer);
    clearInterval(this.enquireTimer);
    for (const w of this.boundWaiters) w.reject(new SmppSubmitError('SMPP connection closed', true));
    this.boundWaiters.clear();
    const session = this.session;
    if (!session) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, 2000);
      const sent = session.unbind({}, () => {
        clearTimeout(timer);
        resolve();
      });
      if (!sent) {
        clearTimeout(timer);
        resolve();
      }
    });
    await new Promise<void>((resolve) => {
      if (session.socket.destroyed) return resolve();
      const timer = setTimeout(() => session.destroy(), 2000);
      session.socket.once('close', () => {
        clearTimeout(timer);
        resolve();
      });
      session.close();
    });
  }

  private request(session: smpp.Session, pdu: smpp.PDU): Promise<smpp.PDU> {
    const timeoutMs = this.opts.responseTimeoutMs ?? 30_000;
    return new Promise((resolve, reject) => {
      let done = false;
      const failers = this.inFlight.get(session) ?? new Set<(err: Error) => void>();
      this.inFlight.set(session, failers);
      const finish = (err: Error | undefined, resp?: smpp.PDU) => {
        if (done) return;
        done = true;
        clearTimeout(timer);
        failers.delete(fail);
        if (err) reject(err);
        else resolve(resp!);
      };
      const fail = (err: Error) => finish(err);
      failers.add(fail);
      const timer = setTimeout(() => finish(new SmppSubmitError(`no ${pdu.command}_resp within ${timeoutMs} ms`, true)), timeoutMs);
      const sent = session.send(pdu, (resp) => finish(undefined, resp));
      if (!sent) finish(new SmppSubmitError('SMPP session is not writable', true));
    });
  }

  /** The bound session, waiting for a reconnect up to `sessionWaitMs`. */
  private boundSession(signal?: AbortSignal): Promise<smpp.Session> {
    if (this.session) return Promise.resolve(this.session);
    if (this.closing) return Promise.reject(new SmppSubmitError('SMPP connection closed', true));
    const waitMs = this.opts.sessionWaitMs ?? 10_000;
    return new Promise((resolve, reject) => {
      const waiter = {
        resolve: (s: smpp.Session) => {
          cleanup();
          resolve(s);
        },
        reject: (e: Error) => {
          cleanup();
          reject(e);
        },
      };
      const onAbort = () => waiter.reject(new AbortedError());
      const timer = setTimeout(() => waiter.reject(new SmppSubmitError(`SMPP session not bound after ${waitMs} ms (reconnecting)`, true)), waitMs);
      const cleanup = () => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', onAbort);
        this.boundWaiters.delete(waiter);
      };
      if (signal?.aborted) return onAbort();
      signal?.addEventListener('abort', onAbort, { once: true });
      this.boundWaiters.add(waiter);
    });
  }

  private bindOnce(): Promise<void> {
    const { host, port, log } = this.opts;
    return new Promise((resolve, reject) => {
      let settled = false;
      const session = smpp.connect({ host, port });
      // Many small PDUs: without this, Nagle holds submit_sm back until the previous one is acked.
      session.socket.setNoDelay(true);
      const fail = (err: Error) => {
        if (settled) return;
        settled = true;
        clearTimeout(timer);
        session.destroy();
        reject(err);
      };
      const timer = setTimeout(() => fail(new Error(`SMPP bind to ${host}:${port} timed out`)), this.opts.bindTimeoutMs ?? 10_000);
      session.on('error', (err: Error) => {
        // The library stops reading after a malformed PDU: a session that errs is rebuilt.
        log.warn({ err: err.message, host, port }, 'SMPP session error');
        if (!settled) fail(err);
        else session.destroy();
      });
      session.on('close', () => {
        if (!settled) fail(new Error(`SMPP connection to ${host}:${port} closed before bind`));
        else this.onDrop(session);
      });
      session.on('connect', () => {
        const bindParams: Record<string, unknown> = { system_id: this.opts.systemId, password: this.opts.password };
        if (this.opts.systemType) bindParams.system_type = this.opts.systemType;
        session.bind_transceiver(bindParams, (resp) => {
          if (resp.command_status !== SMPP_STATUS.ESME_ROK) return fail(new Error(`SMPP bind refused: ${smppStatusName(resp.command_status)}`));
          if (this.closing) return fail(new Error('SMPP connection closed'));
          settled = true;
          clearTimeout(timer);
          this.onBound(session);
          resolve();
        });
      });
      session.on('deliver_sm', (pdu: smpp.PDU) => void this.answerDeliver(session, pdu));
      session.on('enquire_link', (pdu: smpp.PDU) => session.send(pdu.response()));
      session.on('unbind', (pdu: smpp.PDU) => {
        session.send(pdu.response());
        session.close();
      });
    });
  }

  private onBound(session: smpp.Session): void {
    this.session = session;
    this.attempt = 0;
    this.opts.log.info({ host: this.opts.host, port: this.opts.port }, 'SMPP session bound');
    for (const w of this.boundWaiters) w.resolve(session);
    clearInterval(this.enquireTimer);
    const every = this.opts.enquireLinkMs ?? 30_000;
    // enquire_link keeps NATs open and finds a dead peer: no answer → the session is rebuilt.
    this.enquireTimer = setInterval(() => {
      this.request(session, new smpp.PDU('enquire_link', {})).catch(() => session.destroy());
    }, every);
    this.enquireTimer.unref();
  }

  private onDrop(session: smpp.Session): void {
    const failers = this.inFlight.get(session);
    this.inFlight.delete(session);
    for (const fail of failers ?? []) fail(new SmppSubmitError('SMPP session dropped before the response', true));
    if (this.session !== session) return;
    this.session = undefined;
    clearInterval(this.enquireTimer);
    if (!this.closing) this.scheduleReconnect();
  }

  private scheduleReconnect(): void {
    const backoff = this.opts.backoff ?? { baseMs: 500, maxMs: 30_000 };
    const delay = backoffMs(this.attempt++, backoff.baseMs, backoff.maxMs);
    this.opts.log.warn({ host: this.opts.host, port: this.opts.port, delay_ms: delay }, 'SMPP session dropped; reconnecting');
    this.reconnectTimer = setTimeout(() => {
      if (this.closing) return;
      this.bindOnce().catch((err: Error) => {
        this.opts.log.warn({ err: err.message }, 'SMPP reconnect failed');
        if (!this.closing) this.scheduleReconnect();
      });
    }, delay);
  }

  private async answerDeliver(session: smpp.Session, pdu: smpp.PDU): Promise<void> {
    let status: number = SMPP_STATUS.ESME_ROK;
    try {
      status = await this.opts.onDeliver(pdu);
    } catch (err) {
      // Not recorded: a temporary error makes the SMSC deliver the receipt again later.
      this.opts.log.error({ err }, 'deliver_sm handling failed');
      status = SMPP_STATUS.ESME_RX_T_APPN;
    }
    session.send(pdu.response(status === SMPP_STATUS.ESME_ROK ? {} : { command_status: status }));
  }
}
