import type { ErrorRequestHandler } from 'express';
import { ApiError } from '../domain/errors';
import { RESP_CODES } from '../domain/resp-codes';
import type { Logger } from '../config/logger';
import { sendAnswer, type InterfaceCode } from './respond';
import type { AuthenticatedRequest } from './merchant-auth';
import { sendSupportError } from './routes/support/errors';

const INTERFACE_BY_PATH: Record<string, InterfaceCode> = {
  '/api/pay': 'pay', '/api/query': 'query', '/api/close': 'close', '/api/refund': 'refund', '/api/refund/query': 'refundQuery',
};

/**
 * The one error middleware. ApiError → its respCode and HTTP status; a body the parser rejects → 100001 (413 for a
 * body over the limit); anything else is ours → 999999 "system busy" (503), logged without the payload.
 */
export function errorMiddleware(log: Logger): ErrorRequestHandler {
  return (err, req, res, _next) => {
    // The support and admin APIs answer plain JSON errors, not the merchant respCode format.
    if (/^\/(support|admin)(\/|$)/.test(req.path)) return sendSupportError(res, err, log, req.path);
    const interfaceCode = INTERFACE_BY_PATH[req.path];
    let error: ApiError;
    let status: number | undefined;
    const parserType = (err as { type?: string }).type;
    if (err instanceof ApiError) {
      error = err;
    } else if (parserType === 'entity.too.large') {
      error = ApiError.invalidField('request', 'body is too large (at most 64 KiB)');
      status = 413;
    } else if (parserType === 'entity.parse.failed' || parserType === 'charset.unsupported' || parserType === 'encoding.unsupported') {
      error = ApiError.invalidField('request', 'body must be valid JSON in UTF-8');
    } else if (typeof (err as { status?: number }).status === 'number' && (err as { status: number }).status < 500) {
      error = ApiError.invalidField('request', 'is malformed');
      status = (err as { status: number }).status;
    } else {
      log.error({ path: req.path, err: (err as Error).message }, 'unexpected error');
      error = new ApiError('999999');
    }
    if (error.retryAfterSeconds !== undefined) res.set('Retry-After', String(error.retryAfterSeconds));
    const auth = res.locals.auth as AuthenticatedRequest | undefined;
    if (auth && interfaceCode && status === undefined) {
      // An authenticated merchant gets a signed answer, errors included.
      sendAnswer(res, { interfaceCode, respCode: error.respCode, respDesc: error.message, auth });
      return;
    }
    const mercNo = typeof req.body?.mercNo === 'string' && req.body.mercNo.length <= 32 ? req.body.mercNo : undefined;
    res.status(status ?? RESP_CODES[error.respCode].httpStatus).json({
      respCode: error.respCode,
      respDesc: error.message,
      ...(interfaceCode ? { interfaceCode } : {}),
      ...(mercNo ? { mercNo } : {}),
    });
  };
}
