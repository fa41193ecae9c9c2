import type { Response } from 'express';
import { RESP_CODES, type RespCode } from '../domain/resp-codes';
import { livemodeField } from '../domain/mode';
import { signatureHeaderValue, SIGNATURE_HEADER } from '../domain/raw-signature';
import { RAW_SIGN_TYPE, withSignature, type SignableValue } from '../domain/signing';
import type { AuthenticatedRequest } from './merchant-auth';

export type InterfaceCode = 'pay' | 'query' | 'close' | 'refund' | 'refundQuery';

/**
 * Sends a merchant API answer: respCode, respDesc, mercNo, interfaceCode, livemode and the data, signed with the key
 * that verified the request, in the request's form (the `signature` field, or the Paydurable-Signature header over
 * the exact answer body). Unsigned only when the request was not authenticated. HTTP status follows the respCode table.
 */
export function sendAnswer(
  res: Response,
  a: {
    interfaceCode: InterfaceCode;
    respCode: RespCode;
    respDesc?: string;
    auth?: Pick<AuthenticatedRequest, 'merchant' | 'key' | 'mode' | 'signType'> | undefined;
    mercNo?: string;
    data?: Record<string, SignableValue>;
  },
  nowMs = Date.now(),
): void {
  const fields: Record<string, SignableValue> = {
    ...(a.data ?? {}),
    respCode: a.respCode,
    respDesc: a.respDesc ?? RESP_CODES[a.respCode].desc,
    interfaceCode: a.interfaceCode,
  };
  const mercNo = a.auth?.merchant.mercNo ?? a.mercNo;
  if (mercNo) fields.mercNo = mercNo;
  if (a.auth) fields.livemode = livemodeField(a.auth.mode);
  for (const k of Object.keys(fields)) if (fields[k] === undefined || fields[k] === null) delete fields[k];
  res.status(RESP_CODES[a.respCode].httpStatus);
  if (!a.auth) return void res.json(fields);
  if (a.auth.signType === RAW_SIGN_TYPE) {
    const text = JSON.stringify(fields);
    res.set(SIGNATURE_HEADER, signatureHeaderValue([a.auth.key.secret], Math.floor(nowMs / 1000), text));
    return void res.type('application/json').send(text);
  }
  res.json(withSignature(fields, a.auth.key.secret, a.auth.signType));
}
