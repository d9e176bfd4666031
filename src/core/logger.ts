import { pino, type DestinationStream, type Logger } from 'pino';
import { maskPii } from './mask.js';

export type { Logger };

/**
 * JSON logs (pino). Secrets are removed by path before a line is written, and free-text
 * messages pass through the PII mask, so a stray email or phone in a message never lands in logs.
 */
export function createLogger(level = process.env.LOG_LEVEL ?? 'info', destination?: DestinationStream): Logger {
  const options: pino.LoggerOptions = {
    level,
    base: { service: 'conversa' },
    redact: {
      paths: [
        'req.headers.authorization',
        'req.headers.cookie',
        'req.headers["x-csrf-token"]',
        'res.headers["set-cookie"]',
        '*.password',
        '*.key',
        '*.api_key',
        '*.token',
        '*.secret',
        '*.secretKey',
        '*.code_sealed',
      ],
      censor: '[redacted]',
    },
    hooks: {
      logMethod(args, method) {
        const masked = args.map((a) => (typeof a === 'string' ? maskPii(a) : a));
        // pino's logMethod signature is variadic; the cast keeps its overloads out of our way.
        return method.apply(this, masked as Parameters<typeof method>);
      },
    },
  };
  return destination ? pino(options, destination) : pino(options);
}
