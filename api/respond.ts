import type { Response } from 'express';
import type { Merchant } from '../db/merchants';
import { RESP_CODES, type RespCode } from '../domain/resp-codes';
import { withSignature, type SignType, type SignableValue } from '../domain/signing';

export type InterfaceCode = 'pay' | 'query' | 'close' | 'refund';

/**
 * Sends a merchant API answer: respCode, respDesc, mercNo, interfaceCode and the data, signed with the merchant's
 * key (unsigned only when the merchant is unknown). HTTP status follows the respCode table.
 */
export function sendAnswer(
  res: Response,
  a: {
    interfaceCode: InterfaceCode;
    respCode: RespCode;
    respDesc?: string;
    merchant?: Merchant | null;
    mercNo?: string;
    signType?: SignType;
    data?: Record<string, SignableValue>;
  },
): void {
  const fields: Record<string, SignableValue> = {
    ...(a.data ?? {}),
    respCode: a.respCode,
    respDesc: a.respDesc ?? RESP_CODES[a.respCode].desc,
    interfaceCode: a.interfaceCode,
  };
  const mercNo = a.merchant?.mercNo ?? a.mercNo;
  if (mercNo) fields.mercNo = mercNo;
  for (const k of Object.keys(fields)) if (fields[k] === undefined || fields[k] === null) delete fields[k];
  const body = a.merchant ? withSignature(fields, a.merchant.signKey, a.signType ?? 'MD5') : fields;
  res.status(RESP_CODES[a.respCode].httpStatus).json(body);
}
