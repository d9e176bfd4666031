import type { AddressInfo } from 'node:net';
import type { Readable } from 'node:stream';
import type { SMTPServer } from 'smtp-server';

/** A running SMTP server: the port it got (0 asks for a free one) and how to stop it. */
export interface RunningSmtpServer {
  port: number;
  close(): Promise<void>;
}

/** Starts `server` on host:port and resolves once it listens (rejects on EADDRINUSE & co). */
export function listenSmtp(server: SMTPServer, port: number, host: string): Promise<RunningSmtpServer> {
  return new Promise((resolve, reject) => {
    const onError = (err: Error) => reject(err);
    server.server.once('error', onError);
    server.listen(port, host, () => {
      server.server.off('error', onError);
      const address = server.server.address() as AddressInfo;
      resolve({
        port: address.port,
        close: () => new Promise<void>((done) => server.close(() => done())),
      });
    });
  });
}

/**
 * Reads a DATA stream to the end. smtp-server keeps counting past `size` (so the client gets a
 * proper 552) but we stop keeping bytes there, so a huge message cannot exhaust memory.
 */
export async function readMessage(stream: Readable, maxBytes: number): Promise<{ raw: Buffer; tooBig: boolean }> {
  const chunks: Buffer[] = [];
  let kept = 0;
  let total = 0;
  for await (const chunk of stream) {
    const b = chunk as Buffer;
    total += b.length;
    if (kept < maxBytes) {
      const part = b.subarray(0, maxBytes - kept);
      chunks.push(part);
      kept += part.length;
    }
  }
  return { raw: Buffer.concat(chunks), tooBig: total > maxBytes };
}

/** An SMTP reply error: smtp-server sends `responseCode` and the message to the client. */
export function smtpError(responseCode: number, message: string): Error & { responseCode: number } {
  return Object.assign(new Error(message), { responseCode });
}
