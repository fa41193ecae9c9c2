import type { ChannelRefundStatus, ChannelStatus } from '../../domain/channels';
import { failOrPending, isRefundState, isTradeState, meaningOfTradeState, refundOutcome } from './codes';

/** WeChat Pay's RFC 3339 time (`2026-12-06T10:34:56+08:00`) to epoch ms, or null. */
export function parseWechatTime(s: unknown): number | null {
  if (typeof s !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(s)) return null;
  const ms = Date.parse(s);
  return Number.isFinite(ms) ? ms : null;
}

/** Epoch ms to RFC 3339 in China Standard Time, as WeChat Pay writes it. */
export function formatWechatTime(ms: number): string {
  const d = new Date(Math.floor(ms / 1000) * 1000 + 8 * 3_600_000);
  return `${d.toISOString().slice(0, 19)}+08:00`;
}

/** An amount in fen from an API v3 amount object's field: a non-negative safe integer, or null. */
export function fenOf(amount: unknown, field: string): number | null {
  if (!amount || typeof amount !== 'object') return null;
  const v = (amount as Record<string, unknown>)[field];
  return typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : null;
}

/**
 * What a verified transaction (a query answer or a TRANSACTION.SUCCESS resource) says about our order. It must be
 * about our order at our merchant account, and a payment must carry a readable amount.total (the workflow compares it
 * with the order's); anything else is UNKNOWN, never taken as paid or failed.
 */
export function statusOfTransaction(t: Record<string, unknown>, expected: { orderId: string; mchId: string }, nowMs: number): ChannelStatus {
  if (t.out_trade_no !== expected.orderId) return { status: 'UNKNOWN', reason: 'wechatpay message is about another order' };
  if (t.mchid !== undefined && t.mchid !== expected.mchId) return { status: 'UNKNOWN', reason: 'wechatpay message is about another merchant account' };
  const raw = typeof t.trade_state === 'string' ? t.trade_state : undefined;
  if (raw === undefined || !isTradeState(raw)) return { status: 'UNKNOWN', reason: `wechatpay trade_state ${raw ?? '(missing)'} is not one we know` };
  const meaning = meaningOfTradeState(raw);
  if (meaning !== 'paid') return failOrPending(meaning, raw);
  const total = fenOf(t.amount, 'total');
  if (total === null) return { status: 'UNKNOWN', reason: 'wechatpay reports a payment without a readable amount.total' };
  return {
    status: 'SUCCESS',
    amountFen: total,
    paidAtMs: parseWechatTime(t.success_time) ?? nowMs,
    ...(typeof t.transaction_id === 'string' && t.transaction_id ? { channelOrderNo: t.transaction_id } : {}),
    ...(typeof t.bank_type === 'string' && t.bank_type ? { bankType: t.bank_type } : {}),
  };
}

/**
 * What a verified refund (a refund answer, a refund query or a REFUND.* resource) says. Its status is `status` in
 * answers and `refund_status` in notifications; a refund is ours when its out_refund_no is the one we asked about.
 */
export function statusOfRefund(r: Record<string, unknown>, expected: { refundId: string }, nowMs: number): ChannelRefundStatus {
  if (r.out_refund_no !== expected.refundId) return { status: 'UNKNOWN', reason: 'wechatpay refund message is about another refund' };
  const raw = typeof r.status === 'string' ? r.status : typeof r.refund_status === 'string' ? r.refund_status : undefined;
  if (raw === undefined || !isRefundState(raw)) return { status: 'UNKNOWN', reason: `wechatpay refund status ${raw ?? '(missing)'} is not one we know` };
  if (raw !== 'SUCCESS') return refundOutcome(raw);
  const refund = fenOf(r.amount, 'refund');
  if (refund === null) return { status: 'UNKNOWN', reason: 'wechatpay reports a refund without a readable amount.refund' };
  return {
    status: 'SUCCESS', amountFen: refund, refundedAtMs: parseWechatTime(r.success_time) ?? nowMs,
    ...(typeof r.refund_id === 'string' && r.refund_id ? { channelRefundNo: r.refund_id } : {}),
  };
}
