import type { ChannelStatus } from '../../domain/channels';
import type { IpaynowAccount } from './accounts';
import type { FormFields } from './form';
import { statusOfOrderMessage, transStatusField, type ExpectedOrder } from './report';
import { ipaynowVerify, type SignRule } from './signing';

export type N001Verdict =
  | { ok: true; signRule: SignRule; statusCode: string; result: Exclude<ChannelStatus, { status: 'UNKNOWN' }> }
  | { ok: false; reason: string; signatureValid: boolean | null };

/**
 * Checks an N001 notification for one of our orders: from the account's appId, signed with its key (NEW or OLD rule),
 * about this order and amount, with a state we know (transStatus or tradeStatus). Pure; the caller found the order
 * and its account.
 */
export function verifyN001(fields: FormFields, account: IpaynowAccount | null, expected: ExpectedOrder, nowMs: number): N001Verdict {
  if (fields.funcode !== undefined && fields.funcode !== 'N001') return { ok: false, reason: `funcode ${fields.funcode} is not N001`, signatureValid: null };
  if (!account) return { ok: false, reason: 'no ipaynow account for the order\'s merchant', signatureValid: null };
  if (fields.appId !== account.appId) return { ok: false, reason: 'appId is not the order\'s', signatureValid: null };
  if (!fields.signature) return { ok: false, reason: 'signature missing', signatureValid: false };
  const signRule = ipaynowVerify(fields, account.appKey, fields.signature);
  if (signRule === null) return { ok: false, reason: 'bad signature', signatureValid: false };
  const result = statusOfOrderMessage(fields, expected, nowMs);
  if (result.status === 'UNKNOWN') return { ok: false, reason: result.reason, signatureValid: true };
  return { ok: true, signRule, statusCode: transStatusField(fields) ?? '', result };
}
