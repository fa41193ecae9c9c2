import type { ChannelStatus } from '../../domain/channels';

/**
 * Alipay's code tables (OpenAPI v2) and their meaning for us: one exhaustive map each. docs/channels.md lists them.
 */

/** trade_status of alipay.trade.query and of notifications. */
export const TRADE_STATUSES = ['WAIT_BUYER_PAY', 'TRADE_SUCCESS', 'TRADE_FINISHED', 'TRADE_CLOSED'] as const;
export type TradeStatus = (typeof TRADE_STATUSES)[number];
export const isTradeStatus = (s: string): s is TradeStatus => (TRADE_STATUSES as readonly string[]).includes(s);

export type TradeMeaning = 'waiting' | 'paid' | 'closed';

/** TRADE_FINISHED is a paid trade that can no longer be refunded: paid all the same. TRADE_CLOSED: unpaid and closed (or fully refunded). */
export function meaningOfTradeStatus(s: TradeStatus): TradeMeaning {
  switch (s) {
    case 'WAIT_BUYER_PAY': return 'waiting';
    case 'TRADE_SUCCESS': return 'paid';
    case 'TRADE_FINISHED': return 'paid';
    case 'TRADE_CLOSED': return 'closed';
    default: {
      const never: never = s;
      throw new Error(`unmapped trade_status ${String(never)}`);
    }
  }
}

/**
 * What a gateway answer means, from its code and sub_code:
 *   ok — 10000;
 *   unknown — 20000 (service unavailable), ACQ.SYSTEM_ERROR, or a code we do not know: asked again, never final;
 *   not_exist — ACQ.TRADE_NOT_EXIST: no trade yet (a QR code not yet scanned, a pay page not yet opened);
 *   status_error — ACQ.TRADE_STATUS_ERROR / ACQ.TRADE_HAS_SUCCESS / ACQ.TRADE_HAS_CLOSE: the trade is past the state
 *     the call needs (a close of a paid trade): the trade's own state is asked;
 *   declined — any other definite refusal (20001 rights, 40001 missing, 40002 invalid, 40004 business, 40006 permission).
 */
export type GatewayMeaning = 'ok' | 'unknown' | 'not_exist' | 'status_error' | 'declined';

export const GATEWAY_CODES = ['10000', '20000', '20001', '40001', '40002', '40004', '40006'] as const;
export type GatewayCode = (typeof GATEWAY_CODES)[number];

const SUB_CODE_MEANINGS: Record<string, GatewayMeaning> = {
  'ACQ.SYSTEM_ERROR': 'unknown',
  'aop.ACQ.SYSTEM_ERROR': 'unknown',
  'ACQ.TRADE_NOT_EXIST': 'not_exist',
  'ACQ.TRADE_STATUS_ERROR': 'status_error',
  'ACQ.TRADE_HAS_SUCCESS': 'status_error',
  'ACQ.TRADE_HAS_CLOSE': 'status_error',
  // Fund transfers (alipay.fund.trans.*): a system error is not an answer; a query of a number Alipay has no transfer of.
  SYSTEM_ERROR: 'unknown',
  ORDER_NOT_EXIST: 'not_exist',
};

export function meaningOfGatewayAnswer(code: string, subCode: string | undefined): GatewayMeaning {
  if (!(GATEWAY_CODES as readonly string[]).includes(code)) return 'unknown';
  const c = code as GatewayCode;
  switch (c) {
    case '10000': return 'ok';
    case '20000': return 'unknown';
    case '40004': return (subCode !== undefined ? SUB_CODE_MEANINGS[subCode] : undefined) ?? 'declined';
    case '20001':
    case '40001':
    case '40002':
    case '40006':
      return subCode !== undefined && SUB_CODE_MEANINGS[subCode] === 'unknown' ? 'unknown' : 'declined';
    default: {
      const never: never = c;
      throw new Error(`unmapped gateway code ${String(never)}`);
    }
  }
}

/** The meaning of a trade_status as a channel status (a payment needs its amount and time: see report.ts). */
export function failOrPending(meaning: Exclude<TradeMeaning, 'paid'>): Exclude<ChannelStatus, { status: 'SUCCESS' | 'UNKNOWN' }> {
  return meaning === 'waiting' ? { status: 'PENDING' } : { status: 'FAIL', reason: 'closed at alipay unpaid' };
}
