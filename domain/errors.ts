import { RESP_CODES, type RespCode } from './resp-codes';

/**
 * The one error family. Anything the API answers with a non-success respCode is an ApiError; the Express error
 * middleware turns it into `{respCode, respDesc}` with the table's HTTP status. Pure: safe in workflow code.
 */
export class ApiError extends Error {
  readonly respCode: RespCode;
  readonly httpStatus: number;
  readonly field?: string;
  /** Seconds after which the same request may succeed (the `Retry-After` header of a 429). */
  retryAfterSeconds?: number;

  constructor(respCode: RespCode, detail?: string, field?: string) {
    const base = RESP_CODES[respCode].desc;
    super(detail ? `${base}: ${detail}` : base);
    this.name = 'ApiError';
    this.respCode = respCode;
    this.httpStatus = RESP_CODES[respCode].httpStatus;
    if (field !== undefined) this.field = field;
  }

  static invalidField(field: string, rule: string): ApiError {
    return new ApiError('100001', `${field} ${rule}`, field);
  }

  /** 100009 (HTTP 429): `detail` says which limit; `retryAfterSeconds` (if known) becomes the Retry-After header. */
  static tooManyRequests(detail: string, retryAfterSeconds?: number): ApiError {
    const err = new ApiError('100009', detail);
    if (retryAfterSeconds !== undefined) err.retryAfterSeconds = Math.max(1, Math.ceil(retryAfterSeconds));
    return err;
  }
}

/**
 * Support and admin API error codes. Each maps onto the merchant respCode with the same HTTP status, so the merchant table stays
 * the only table of statuses; the support API renders `{error: {code, message}}` instead of respCode/respDesc.
 */
export const SUPPORT_ERROR_CODES = {
  invalid_request: '100001',
  unauthorized: '100002',
  /** Authenticated, but the operator's role does not allow it (a support-only operator on the admin API). */
  forbidden: '100003',
  not_found: '100005',
  conflict: '100006',
  too_many_requests: '100009',
  /** The workflow did not take the request this time (the engine dropped it): send the same request again. */
  try_again: '999999',
  not_configured: '999999',
} as const satisfies Record<string, RespCode>;
export type SupportErrorCode = keyof typeof SUPPORT_ERROR_CODES;

/** An ApiError of the support API: a code from SUPPORT_ERROR_CODES and a plain message (no merchant-facing prefix). */
export class SupportError extends ApiError {
  readonly code: SupportErrorCode;

  constructor(code: SupportErrorCode, message: string, field?: string) {
    super(SUPPORT_ERROR_CODES[code], message, field);
    this.name = 'SupportError';
    this.code = code;
    this.message = message;
  }

  static invalid(field: string, rule: string): SupportError {
    return new SupportError('invalid_request', `${field} ${rule}`, field);
  }
}
