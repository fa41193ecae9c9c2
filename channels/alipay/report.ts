import type { ChannelStatus } from '../../domain/channels';
import { parseYuanToFen } from '../../domain/money';
import { formatCompactTime, parseCompactTime } from '../../domain/time';
import { failOrPending, isTradeStatus, meaningOfTradeStatus } from './codes';

/** The order a trade message must be about. */
export interface ExpectedTrade {
  orderId: string;
}

/** The fields of a trade (alipay.trade.query answer or a notification) that say its state. */
export interface TradeFields {
  out_trade_no?: string;
  trade_no?: string;
  trade_status?: string;
  total_amount?: string;
  /** Query: send_pay_date; notification: gmt_payment. `yyyy-MM-dd HH:mm:ss`, China Standard Time. */
  send_pay_date?: string;
  gmt_payment?: string;
}

/** Alipay's `yyyy-MM-dd HH:mm:ss` (CST) to epoch ms, or null. */
export const parseAlipayTime = (s: string): number | null =>
  /^\d{4}-\d{2}-\d{2} \d{2}:\d{2}:\d{2}$/.test(s) ? parseCompactTime(s.replace(/\D/g, '')) : null;

/** Epoch ms to Alipay's `yyyy-MM-dd HH:mm:ss` (CST). */
export function formatAlipayTime(ms: number): string {
  const c = formatCompactTime(ms);
  return `${c.slice(0, 4)}-${c.slice(4, 6)}-${c.slice(6, 8)} ${c.slice(8, 10)}:${c.slice(10, 12)}:${c.slice(12, 14)}`;
}

/**
 * What a verified trade message says about our order. A payment must be for our order and carry a readable amount
 * (the workflow compares it with the order's); anything else is UNKNOWN, never taken as paid or failed.
 */
export function statusOfTrade(f: TradeFields, expected: ExpectedTrade, nowMs: number): ChannelStatus {
  if (f.out_trade_no !== expected.orderId) return { status: 'UNKNOWN', reason: 'alipay message is about another order' };
  const raw = f.trade_status;
  if (raw === undefined || !isTradeStatus(raw)) return { status: 'UNKNOWN', reason: `alipay trade_status ${raw ?? '(missing)'} is not one we know` };
  const meaning = meaningOfTradeStatus(raw);
  if (meaning !== 'paid') return failOrPending(meaning);
  const amount = parseYuanToFen(f.total_amount ?? '');
  if (!amount.ok) return { status: 'UNKNOWN', reason: `alipay reports payment of unreadable total_amount ${f.total_amount ?? '(missing)'}` };
  const when = f.send_pay_date ?? f.gmt_payment;
  return {
    status: 'SUCCESS',
    amountFen: amount.fen,
    paidAtMs: (when ? parseAlipayTime(when) : null) ?? nowMs,
    ...(f.trade_no ? { channelOrderNo: f.trade_no } : {}),
  };
}
