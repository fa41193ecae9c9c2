import { RESP_CODES, type RespCode } from './resp-codes';

/**
 * The one error family. Anything the API answers with a non-success respCode is an ApiError; the Express error
 * middleware turns it into `{respCode, respDesc}` with the table's HTTP status. Pure: safe in workflow code.
 */
export class ApiError extends Error {
  readonly respCode: RespCode;
  readonly httpStatus: number;
  readonly field?: string;

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
}
