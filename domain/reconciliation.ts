/**
 * Reconciliation (对账): a channel's daily statement compared with our orders and refunds. Pure: safe to import from
 * workflow code. Channel days are Asia/Shanghai calendar days (UTC+8, no daylight saving).
 */

/** One line of a channel's statement, parsed from the channel's own format (channels/<name>/statement.ts). */
export interface StatementLine {
  type: 'pay' | 'refund';
  /** The channel's own number of the trade (支付宝交易号, transaction_id, nowPayOrderNo, the sandbox's order no). */
  channelTradeNo: string;
  /** Our orderId (out_trade_no / mhtOrderNo). */
  orderId: string;
  /** Our refundId (out_request_no / out_refund_no / mhtRefundNo) on a refund line. */
  refundId?: string;
  /** What the channel collected (pay) or gave back (refund), integer fen. */
  amountFen: number;
  /** The channel's status word for the line (TRADE_SUCCESS, SUCCESS, A001…), as found. */
  status: string;
  /** When it happened at the channel, epoch ms. */
  atMs: number;
}

/** What a comparison finds. */
export const DISCREPANCY_KINDS = [
  /** The channel took the money; we do not show the order as paid → a SUCCESS report into the order (late-payment rule). */
  'paid_not_ours',
  /** The channel's statement names an order we do not have at all (recorded, nothing to act on). */
  'unknown_order',
  /** Paid on both sides, different amounts → human queue. */
  'amount_mismatch',
  /**
   * The channel took money for an order that another channel serves and that is paid there (a payment at a channel the
   * order failed over from): paid twice → human queue.
   */
  'paid_elsewhere',
  /** Paid at our side (that day), absent from the channel's statement → human queue. */
  'missing_at_channel',
  /** A refund whose amount differs, that we show refunded but the channel does not list, or the other way round → human queue. */
  'refund_mismatch',
] as const;
export type DiscrepancyKind = (typeof DISCREPANCY_KINDS)[number];

/** What reconciliation does about a discrepancy. */
export const ACTION_OF: Record<DiscrepancyKind, 'report' | 'review' | 'none'> = {
  paid_not_ours: 'report',
  unknown_order: 'none',
  amount_mismatch: 'review',
  paid_elsewhere: 'review',
  missing_at_channel: 'review',
  refund_mismatch: 'review',
};

/** Our side of the day, as the comparison needs it. */
export interface OurOrder {
  orderId: string;
  amountFen: number;
  /** Paid (p0000) at our side. */
  paid: boolean;
  /** Paid at our side on the statement's day (its tradeEndTime falls on it): expected on that day's statement. */
  paidThatDay: boolean;
  /** Served by another channel than the statement's (it failed over): named by the statement, never expected on it. */
  elsewhere?: boolean;
}

export interface OurRefund {
  refundId: string;
  orderId: string;
  amountFen: number;
  /** r0000 at our side. */
  refunded: boolean;
  /** Refunded at our side on the statement's day. */
  refundedThatDay: boolean;
}

export interface Discrepancy {
  kind: DiscrepancyKind;
  /** Unique within one run: the same finding on a rerun has the same key. */
  key: string;
  orderId: string;
  refundId?: string;
  channelTradeNo?: string;
  /** The channel's amount (absent: not on the statement). */
  channelFen?: number;
  /** Our amount (absent: not ours). */
  ourFen?: number;
  /** The statement line itself, for a report into the order. */
  line?: StatementLine;
  detail: string;
}

export interface Comparison {
  lines: number;
  matched: number;
  discrepancies: Discrepancy[];
}

/**
 * Compares a day's statement with our orders and refunds of that channel. `orders` holds every order the statement
 * names plus our orders paid that day; `refunds` likewise. Lines the channel lists twice count once.
 */
export function compareStatement(lines: readonly StatementLine[], orders: readonly OurOrder[], refunds: readonly OurRefund[]): Comparison {
  const orderOf = new Map(orders.map((o) => [o.orderId, o]));
  const refundOf = new Map(refunds.map((r) => [r.refundId, r]));
  const found: Discrepancy[] = [];
  let matched = 0;
  const paySeen = new Set<string>();
  const refundSeen = new Set<string>();
  for (const line of lines) {
    if (line.type === 'pay') {
      if (paySeen.has(line.orderId)) continue;
      paySeen.add(line.orderId);
      const ours = orderOf.get(line.orderId);
      const base = { orderId: line.orderId, channelTradeNo: line.channelTradeNo, channelFen: line.amountFen };
      if (!ours) found.push({ ...base, kind: 'unknown_order', key: `unknown_order:${line.orderId}`, line, detail: 'the channel lists a payment of an order we do not have' });
      else if (!ours.paid) found.push({ ...base, ourFen: ours.amountFen, kind: 'paid_not_ours', key: `paid_not_ours:${line.orderId}`, line, detail: 'the channel took the money; the order is not paid at our side' });
      else if (ours.elsewhere) found.push({ ...base, ourFen: ours.amountFen, kind: 'paid_elsewhere', key: `paid_elsewhere:${line.orderId}`, detail: 'the channel took money for an order paid through another channel: paid twice' });
      else if (ours.amountFen !== line.amountFen) found.push({ ...base, ourFen: ours.amountFen, kind: 'amount_mismatch', key: `amount_mismatch:${line.orderId}`, detail: `the channel collected ${line.amountFen} fen, the order is ${ours.amountFen} fen` });
      else matched++;
    } else {
      const refundId = line.refundId ?? '';
      if (refundSeen.has(refundId)) continue;
      refundSeen.add(refundId);
      const ours = refundOf.get(refundId);
      const base = { orderId: line.orderId, refundId, channelTradeNo: line.channelTradeNo, channelFen: line.amountFen, kind: 'refund_mismatch' as const, key: `refund_mismatch:${refundId}` };
      if (!ours) found.push({ ...base, detail: 'the channel lists a refund we do not have' });
      else if (!ours.refunded) found.push({ ...base, ourFen: ours.amountFen, detail: 'the channel refunded; the refund is not refunded at our side' });
      else if (ours.amountFen !== line.amountFen) found.push({ ...base, ourFen: ours.amountFen, detail: `the channel refunded ${line.amountFen} fen, the refund is ${ours.amountFen} fen` });
      else matched++;
    }
  }
  for (const o of orders) {
    if (o.paidThatDay && !o.elsewhere && !paySeen.has(o.orderId)) {
      found.push({ kind: 'missing_at_channel', key: `missing_at_channel:${o.orderId}`, orderId: o.orderId, ourFen: o.amountFen, detail: 'paid at our side that day; not on the channel\'s statement' });
    }
  }
  for (const r of refunds) {
    if (r.refundedThatDay && !refundSeen.has(r.refundId)) {
      found.push({ kind: 'refund_mismatch', key: `refund_mismatch:${r.refundId}`, orderId: r.orderId, refundId: r.refundId, ourFen: r.amountFen, detail: 'refunded at our side that day; not on the channel\'s statement' });
    }
  }
  return { lines: paySeen.size + refundSeen.size, matched, discrepancies: found };
}

/** Counts per kind (every kind present, zero when none). */
export function countByKind(ds: readonly Pick<Discrepancy, 'kind'>[]): Record<DiscrepancyKind, number> {
  const counts = Object.fromEntries(DISCREPANCY_KINDS.map((k) => [k, 0])) as Record<DiscrepancyKind, number>;
  for (const d of ds) counts[d.kind]++;
  return counts;
}

const SHANGHAI_OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;
const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

/** Whether `date` is a real `YYYY-MM-DD` calendar date of year 1 or later (PostgreSQL has no year 0). */
export function isStatementDate(date: string): boolean {
  const m = DATE.exec(date);
  if (!m || Number(m[1]) < 1) return false;
  const ms = Date.parse(`${date}T00:00:00Z`);
  return Number.isFinite(ms) && new Date(ms).toISOString().slice(0, 10) === date;
}

/** The Asia/Shanghai day `YYYY-MM-DD` as [start, end) in epoch ms. */
export function shanghaiDayWindow(date: string): { startMs: number; endMs: number } {
  if (!isStatementDate(date)) throw new RangeError(`not a date YYYY-MM-DD: ${date}`);
  const startMs = Date.parse(`${date}T00:00:00Z`) - SHANGHAI_OFFSET_MS;
  return { startMs, endMs: startMs + DAY_MS };
}

/** The Asia/Shanghai calendar date of an instant. */
export function shanghaiDateOf(epochMs: number): string {
  return new Date(epochMs + SHANGHAI_OFFSET_MS).toISOString().slice(0, 10);
}

/** The Asia/Shanghai day before the one `epochMs` falls on (what a daily run reconciles). */
export function previousShanghaiDate(epochMs: number): string {
  return shanghaiDateOf(epochMs - DAY_MS);
}

/** `YYYY-MM-DD` → `YYYYMMDD` (our compact times start with it). */
export const compactDate = (date: string): string => date.replace(/-/g, '');

/** When the daily runs start: `HH:MM` in Asia/Shanghai, or `off`. */
export function parseReconAt(text: string): { hour: number; minute: number } | null {
  if (text === 'off') return null;
  const m = /^(\d{1,2}):(\d{2})$/.exec(text);
  if (!m || Number(m[1]) > 23 || Number(m[2]) > 59) throw new Error('must be HH:MM (Asia/Shanghai) or off');
  return { hour: Number(m[1]), minute: Number(m[2]) };
}
