/**
 * Errors that cross a module boundary. The HTTP layer maps them to the API's error shape
 * `{"error": {"code", "message", "details"}}` in one place (http/errors.ts).
 */
export interface ErrorDetail {
  /** The offending field, as a path the caller sent (`contacts[3].phone`, `filter.and[0]`). */
  field?: string;
  message: string;
  [extra: string]: unknown;
}

export class AppError extends Error {
  /** Response headers the error carries (Retry-After of a 429). */
  headers: Record<string, string> = {};

  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details: ErrorDetail[] = [],
  ) {
    super(message);
    this.name = 'AppError';
  }
}

export const notFound = (what: string): AppError => new AppError(404, 'not_found', `${what} not found`);

export const invalid = (field: string, message: string, status = 422): AppError =>
  new AppError(status, 'invalid_request', `${field}: ${message}`, [{ field, message }]);

export const forbidden = (message = 'your role may not do this'): AppError =>
  new AppError(403, 'forbidden', message);

export const conflict = (message: string, field?: string): AppError =>
  new AppError(409, 'conflict', message, field ? [{ field, message }] : []);
