import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { AppError, type ErrorDetail } from '../core/errors.js';

interface ValidationIssue {
  instancePath: string;
  message?: string;
  params?: Record<string, unknown>;
}

/** `/fields/3/type` in the body → `body.fields[3].type`; a missing property names itself. */
function fieldOf(context: string | undefined, issue: ValidationIssue): string {
  const parts = issue.instancePath.split('/').filter(Boolean).map((p) => (/^\d+$/.test(p) ? `[${p}]` : `.${p}`));
  const missing = issue.params?.missingProperty ?? issue.params?.additionalProperty;
  if (typeof missing === 'string') parts.push(`.${missing}`);
  return `${context ?? 'body'}${parts.join('')}`;
}

/** Maps everything thrown in a handler to the API error shape (API.md): never a bare 500 for bad input. */
export function installErrorHandling(
  app: FastifyInstance,
  /** Serves a page for GETs no route matched (the console's client-side routes); false to 404. */
  pageFallback?: (request: FastifyRequest, reply: FastifyReply) => false | FastifyReply,
): void {
  app.setErrorHandler((err: FastifyError & { validation?: ValidationIssue[] }, request, reply) => {
    if (err instanceof AppError) {
      for (const [name, value] of Object.entries(err.headers)) reply.header(name, value);
      return reply.status(err.status).send({ error: { code: err.code, message: err.message, details: err.details } });
    }
    if (err.validation) {
      const details: ErrorDetail[] = err.validation.map((v) => {
        const field = fieldOf(err.validationContext, v);
        return { field, message: v.message ?? 'is invalid' };
      });
      const first = details[0];
      return reply.status(400).send({
        error: { code: 'validation_error', message: first ? `${first.field}: ${first.message}` : 'invalid request', details },
      });
    }
    if (err.code === 'FST_ERR_CTP_BODY_TOO_LARGE') {
      return reply.status(413).send({ error: { code: 'payload_too_large', message: 'request body is larger than the configured limit', details: [] } });
    }
    if (err.code === 'FST_ERR_CTP_INVALID_MEDIA_TYPE') {
      return reply.status(415).send({ error: { code: 'unsupported_media_type', message: err.message, details: [] } });
    }
    if (err.statusCode && err.statusCode >= 400 && err.statusCode < 500) {
      return reply.status(err.statusCode).send({ error: { code: err.code ?? 'bad_request', message: err.message, details: [] } });
    }
    request.log.error({ err }, 'unhandled error');
    return reply.status(500).send({ error: { code: 'internal', message: 'internal error', details: [] } });
  });

  app.setNotFoundHandler(async (request, reply) => {
    const page = pageFallback?.(request, reply);
    if (page) return page;
    return reply.status(404).send({ error: { code: 'not_found', message: `no route ${request.method} ${request.url.split('?')[0]}`, details: [] } });
  });
}
