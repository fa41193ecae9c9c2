import type { Response } from 'express';
import type { Logger } from '../../../config/logger';
import { ApiError, SUPPORT_ERROR_CODES, SupportError, type SupportErrorCode } from '../../../domain/errors';

/** The admin API's body limit (channel accounts carry PEM keys). */
export const ADMIN_BODY_LIMIT_KIB = 64;

export type SupportErrorBody = { error: { code: SupportErrorCode | 'internal'; message: string; field?: string } };

const CODE_BY_RESP = Object.fromEntries(Object.entries(SUPPORT_ERROR_CODES).map(([code, resp]) => [resp, code])) as Record<string, SupportErrorCode>;

/**
 * Renders an error of the support or admin API (called by the one error middleware for /support and /admin paths) as plain JSON
 * `{error: {code, message, field?}}`: SupportError/ApiError with their status, body-parser rejections as 400/413,
 * anything else as 500 "internal" (logged without the payload).
 */
export function sendSupportError(res: Response, err: unknown, log: Logger, path: string): void {
  let status: number;
  let body: SupportErrorBody['error'];
  const parserType = (err as { type?: string } | null)?.type;
  const httpStatus = (err as { status?: unknown } | null)?.status;
  if (err instanceof SupportError) {
    status = err.httpStatus;
    body = { code: err.code, message: err.message, ...(err.field ? { field: err.field } : {}) };
  } else if (err instanceof ApiError) {
    status = err.httpStatus;
    body = { code: CODE_BY_RESP[err.respCode] ?? 'internal', message: err.message, ...(err.field ? { field: err.field } : {}) };
  } else if (parserType === 'entity.too.large') {
    status = 413;
    body = { code: 'invalid_request', message: `the body is too large (at most ${path.startsWith('/admin') ? ADMIN_BODY_LIMIT_KIB : 16} KiB)` };
  } else if (typeof httpStatus === 'number' && httpStatus >= 400 && httpStatus < 500) {
    status = httpStatus;
    body = { code: 'invalid_request', message: parserType === 'entity.parse.failed' ? 'the body must be valid JSON' : 'the request is malformed' };
  } else {
    log.error({ path, err: (err as Error)?.message }, 'support API: unexpected error');
    status = 500;
    body = { code: 'internal', message: 'unexpected error (logged by the API)' };
  }
  if (status === 401) res.set('WWW-Authenticate', `Bearer realm="${path.startsWith('/admin') ? 'admin' : 'support'}"`);
  res.status(status).json({ error: body } satisfies SupportErrorBody);
}
