import type { Queryable } from './pool';
import { parseFenColumn } from '../domain/money';

/** Support's selection of orders whose notification can be replayed. Every criterion is optional (AND-ed). */
export interface OrderFilter {
  mercNo?: string;
  payStatus?: string;
  notifyState?: string;
  /** orders.created_at >= from (epoch ms). */
  fromMs?: number;
  /** orders.created_at < to (epoch ms). */
  toMs?: number;
}

/**
 * The one WHERE clause of bulk replay, shared by the dry run's count and the job's snapshot so that both select the
 * same orders. Only orders with a notification (notify_state other than 'none') match. Parameters $1…$5.
 */
export const MATCHING_ORDERS_WHERE = `o.notify_state <> 'none'
  AND ($1::text IS NULL OR o.merc_no = $1)
  AND ($2::text IS NULL OR o.pay_status = $2)
  AND ($3::text IS NULL OR o.notify_state = $3)
  AND ($4::double precision IS NULL OR o.created_at >= to_timestamp($4::double precision / 1000))
  AND ($5::double precision IS NULL OR o.created_at < to_timestamp($5::double precision / 1000))`;

export function filterParams(f: OrderFilter): unknown[] {
  return [f.mercNo ?? null, f.payStatus ?? null, f.notifyState ?? null, f.fromMs ?? null, f.toMs ?? null];
}

/** Dry run: how many orders match, and the first few of them (oldest first). */
export async function countMatchingOrders(db: Queryable, f: OrderFilter, sampleSize: number): Promise<{ count: number; sample: string[] }> {
  const { rows } = await db.query<{ count: string; sample: string[] | null }>(
    `SELECT count(*) AS count,
            (array_agg(o.order_id ORDER BY o.created_at, o.order_id))[1:${Math.max(0, Math.floor(sampleSize))}] AS sample
     FROM orders o WHERE ${MATCHING_ORDERS_WHERE}`,
    filterParams(f),
  );
  return { count: Number(rows[0]?.count ?? 0), sample: rows[0]?.sample ?? [] };
}

export interface ExhaustedOrder {
  orderId: string;
  mercNo: string;
  mercOrderNo: string;
  payStatus: string;
  notifyUrl: string;
  notifyAttempts: number;
  lastAttemptAtMs: number | null;
  lastError: string | null;
  lastHttpStatus: number | null;
  updatedAtMs: number;
}

/** Orders whose notification exhausted its schedule, most recently changed first, with their last attempt's outcome. */
export async function listExhaustedOrders(db: Queryable, p: { mercNo?: string; limit: number }): Promise<{ total: number; orders: ExhaustedOrder[] }> {
  const { rows } = await db.query<{
    order_id: string; merc_no: string; merc_order_no: string; pay_status: string; notify_url: string; notify_attempts: number;
    updated_at: Date; started_at: Date | null; error: string | null; http_status: number | null; total: string;
  }>(
    `SELECT o.order_id, o.merc_no, o.merc_order_no, o.pay_status, o.notify_url, o.notify_attempts, o.updated_at,
            a.started_at, a.error, a.http_status, count(*) OVER () AS total
     FROM orders o
     LEFT JOIN LATERAL (
       SELECT started_at, error, http_status FROM notify_attempts n WHERE n.order_id = o.order_id
       ORDER BY started_at DESC, attempt DESC LIMIT 1
     ) a ON true
     WHERE o.notify_state = 'exhausted' AND ($1::text IS NULL OR o.merc_no = $1)
     ORDER BY o.updated_at DESC, o.order_id
     LIMIT $2`,
    [p.mercNo ?? null, p.limit],
  );
  return {
    total: Number(rows[0]?.total ?? 0),
    orders: rows.map((r) => ({
      orderId: r.order_id, mercNo: r.merc_no, mercOrderNo: r.merc_order_no, payStatus: r.pay_status, notifyUrl: r.notify_url,
      notifyAttempts: r.notify_attempts, lastAttemptAtMs: r.started_at ? r.started_at.getTime() : null, lastError: r.error,
      lastHttpStatus: r.http_status, updatedAtMs: r.updated_at.getTime(),
    })),
  };
}

export interface OrderMatch {
  orderId: string;
  mercNo: string;
  mercOrderNo: string;
  channel: string;
  channelOrderNo: string | null;
  payStatus: string;
  amountFen: number;
  createdAtMs: number;
  /** Which of the order's numbers equals the one searched for. */
  matched: 'orderId' | 'mercOrderNo' | 'channelOrderNo';
}

/**
 * Orders one of whose numbers is `no`: the platform's orderId, a merchant's mercOrderNo (any merchant: two merchants
 * may use the same one) or the channel's order number. Newest first, at most `limit`.
 */
export async function findOrdersByAnyNumber(db: Queryable, no: string, limit: number): Promise<OrderMatch[]> {
  const { rows } = await db.query<{
    order_id: string; merc_no: string; merc_order_no: string; channel: string; channel_order_no: string | null;
    pay_status: string; trade_amt_fen: string; created_at: Date;
  }>(
    `SELECT order_id, merc_no, merc_order_no, channel, channel_order_no, pay_status, trade_amt_fen, created_at
     FROM orders WHERE order_id = $1 OR merc_order_no = $1 OR channel_order_no = $1
     ORDER BY created_at DESC, order_id LIMIT $2`,
    [no, limit],
  );
  return rows.map((r) => ({
    orderId: r.order_id, mercNo: r.merc_no, mercOrderNo: r.merc_order_no, channel: r.channel, channelOrderNo: r.channel_order_no,
    payStatus: r.pay_status, amountFen: parseFenColumn(r.trade_amt_fen), createdAtMs: r.created_at.getTime(),
    matched: r.order_id === no ? 'orderId' : r.merc_order_no === no ? 'mercOrderNo' : 'channelOrderNo',
  }));
}
