import type { ChannelRefundStatus, ChannelStatus } from '../../domain/channels';

/**
 * WeChat Pay API v3 code tables and their meaning for us: one exhaustive map each. docs/channels.md lists them.
 */

/** trade_state of a transaction (query answers and TRANSACTION.* notifications). */
export const TRADE_STATES = ['SUCCESS', 'REFUND', 'NOTPAY', 'CLOSED', 'REVOKED', 'USERPAYING', 'PAYERROR'] as const;
export type TradeState = (typeof TRADE_STATES)[number];
export const isTradeState = (s: string): s is TradeState => (TRADE_STATES as readonly string[]).includes(s);

export type TradeMeaning = 'waiting' | 'paid' | 'closed' | 'failed';

/**
 * REFUND is a paid transaction with a refund since: paid all the same. USERPAYING (the payer is entering a password)
 * is still waiting. CLOSED and REVOKED are closed unpaid; PAYERROR is a payment the bank refused (final).
 */
export function meaningOfTradeState(s: TradeState): TradeMeaning {
  switch (s) {
    case 'SUCCESS': return 'paid';
    case 'REFUND': return 'paid';
    case 'NOTPAY': return 'waiting';
    case 'USERPAYING': return 'waiting';
    case 'CLOSED': return 'closed';
    case 'REVOKED': return 'closed';
    case 'PAYERROR': return 'failed';
    default: {
      const never: never = s;
      throw new Error(`unmapped trade_state ${String(never)}`);
    }
  }
}

/** The meaning of a trade_state that is not a payment as a channel status (a payment needs its amount: report.ts). */
export function failOrPending(meaning: Exclude<TradeMeaning, 'paid'>, state: TradeState): Exclude<ChannelStatus, { status: 'SUCCESS' | 'UNKNOWN' }> {
  if (meaning === 'waiting') return { status: 'PENDING' };
  return { status: 'FAIL', reason: meaning === 'closed' ? `closed at wechatpay unpaid (${state})` : 'payment failed at wechatpay (PAYERROR)' };
}

/**
 * What an API v3 error answer means, from its `code` (the HTTP status alone when the body has none):
 *   unknown — SYSTEM_ERROR, BANK_ERROR, FREQUENCY_LIMITED, a 5xx, or a code we do not know: asked again, never final;
 *   not_exist — ORDER_NOT_EXIST / RESOURCE_NOT_EXISTS: no such order (or refund) at WeChat Pay;
 *   paid — ORDERPAID: the order has been paid (a close, a repeated create): its state is asked;
 *   closed — ORDER_CLOSED: the order was closed (a repeated create): its state is asked;
 *   declined — a definite refusal (PARAM_ERROR, INVALID_REQUEST, SIGN_ERROR, NO_AUTH, APPID_MCHID_NOT_MATCH,
 *     MCH_NOT_EXISTS, OUT_TRADE_NO_USED, RULE_LIMIT, TRADE_ERROR, NOT_ENOUGH, USER_ACCOUNT_ABNORMAL).
 */
export type ErrorMeaning = 'unknown' | 'not_exist' | 'paid' | 'closed' | 'declined';

export const ERROR_CODES = [
  'SYSTEM_ERROR', 'BANK_ERROR', 'FREQUENCY_LIMITED', 'ORDER_NOT_EXIST', 'RESOURCE_NOT_EXISTS', 'ORDERPAID', 'ORDER_CLOSED',
  'PARAM_ERROR', 'INVALID_REQUEST', 'SIGN_ERROR', 'NO_AUTH', 'APPID_MCHID_NOT_MATCH', 'MCH_NOT_EXISTS', 'OUT_TRADE_NO_USED',
  'RULE_LIMIT', 'TRADE_ERROR', 'NOT_ENOUGH', 'USER_ACCOUNT_ABNORMAL',
] as const;
export type ErrorCode = (typeof ERROR_CODES)[number];
const isErrorCode = (s: string): s is ErrorCode => (ERROR_CODES as readonly string[]).includes(s);

function meaningOfErrorCode(c: ErrorCode): ErrorMeaning {
  switch (c) {
    case 'SYSTEM_ERROR':
    case 'BANK_ERROR':
    case 'FREQUENCY_LIMITED':
      return 'unknown';
    case 'ORDER_NOT_EXIST':
    case 'RESOURCE_NOT_EXISTS':
      return 'not_exist';
    case 'ORDERPAID': return 'paid';
    case 'ORDER_CLOSED': return 'closed';
    case 'PARAM_ERROR':
    case 'INVALID_REQUEST':
    case 'SIGN_ERROR':
    case 'NO_AUTH':
    case 'APPID_MCHID_NOT_MATCH':
    case 'MCH_NOT_EXISTS':
    case 'OUT_TRADE_NO_USED':
    case 'RULE_LIMIT':
    case 'TRADE_ERROR':
    case 'NOT_ENOUGH':
    case 'USER_ACCOUNT_ABNORMAL':
      return 'declined';
    default: {
      const never: never = c;
      throw new Error(`unmapped error code ${String(never)}`);
    }
  }
}

/** The meaning of an error answer (HTTP status ≥ 300). A 5xx is unknown whatever its code says. */
export function meaningOfError(httpStatus: number, code: string | undefined): ErrorMeaning {
  if (httpStatus >= 500 || httpStatus === 429) return 'unknown';
  return code !== undefined && isErrorCode(code) ? meaningOfErrorCode(code) : 'unknown';
}

/** status of a refund (refund answers, refund queries and REFUND.* notifications). */
export const REFUND_STATUSES = ['SUCCESS', 'PROCESSING', 'CLOSED', 'ABNORMAL'] as const;
export type RefundState = (typeof REFUND_STATUSES)[number];
export const isRefundState = (s: string): s is RefundState => (REFUND_STATUSES as readonly string[]).includes(s);

/**
 * SUCCESS: refunded (needs its amount: report.ts); PROCESSING: asked again; CLOSED: the refund was closed, nothing
 * returned; ABNORMAL: the money could not reach the payer (a closed card) and waits for a person at the merchant
 * platform — not refunded, reported as FAIL with that reason.
 */
export function refundOutcome(s: Exclude<RefundState, 'SUCCESS'>): Exclude<ChannelRefundStatus, { status: 'SUCCESS' | 'UNKNOWN' | 'UNSUPPORTED' }> {
  switch (s) {
    case 'PROCESSING': return { status: 'PENDING' };
    case 'CLOSED': return { status: 'FAIL', reason: 'refund closed at wechatpay' };
    case 'ABNORMAL': return { status: 'FAIL', reason: 'refund abnormal at wechatpay (needs handling at the merchant platform)' };
    default: {
      const never: never = s;
      throw new Error(`unmapped refund status ${String(never)}`);
    }
  }
}

/** event_type of a notification: transactions and refunds. */
export const EVENT_TYPES = ['TRANSACTION.SUCCESS', 'REFUND.SUCCESS', 'REFUND.ABNORMAL', 'REFUND.CLOSED'] as const;
export type EventType = (typeof EVENT_TYPES)[number];
export const isEventType = (s: string): s is EventType => (EVENT_TYPES as readonly string[]).includes(s);
export const isRefundEvent = (e: EventType): e is Exclude<EventType, 'TRANSACTION.SUCCESS'> => e !== 'TRANSACTION.SUCCESS';
