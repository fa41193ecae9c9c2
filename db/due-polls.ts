import type { Queryable } from './pool';
import { FINAL_UNPAID_STATUSES, OPEN_STATUSES } from '../domain/pay-status';

export interface DuePoll {
  orderId: string;
  payStatus: string;
  workflowId: string;
  channel: string;
  channelOrderNo: string | null;
  pollCount: number;
}

/**
 * Claims up to `limit` orders whose next poll is due and moves each one's next poll along the backoff schedule (the
 * last delay repeats): open orders until their expiry (then their workflow's expiry check takes over), and closed or
 * expired orders of a channel whose close is only local until their `watch_until`. Concurrent pollers claim disjoint
 * orders (SKIP LOCKED). Orders whose watch has ended leave the poll index.
 */
export async function claimDuePolls(db: Queryable, scheduleMs: number[], limit: number): Promise<DuePoll[]> {
  await db.query(
    `UPDATE orders SET next_poll_at = NULL
     WHERE next_poll_at <= now() AND pay_status = ANY($1::text[]) AND (watch_until IS NULL OR watch_until <= now())`,
    [FINAL_UNPAID_STATUSES],
  );
  const { rows } = await db.query<{
    order_id: string; pay_status: string; workflow_id: string; channel: string; channel_order_no: string | null; poll_count: number;
  }>(
    `WITH due AS (
       SELECT order_id FROM orders
       WHERE next_poll_at <= now()
         AND ((pay_status = ANY($3::text[]) AND expire_at > now()) OR (pay_status = ANY($4::text[]) AND watch_until > now()))
       ORDER BY next_poll_at LIMIT $2
       FOR UPDATE SKIP LOCKED)
     UPDATE orders o SET
       poll_count = o.poll_count + 1,
       next_poll_at = now() + ($1::int[])[LEAST(o.poll_count + 2, array_length($1::int[], 1))] * interval '1 millisecond'
     FROM due WHERE o.order_id = due.order_id
     RETURNING o.order_id, o.pay_status, o.workflow_id, o.channel, o.channel_order_no, o.poll_count`,
    [scheduleMs, limit, OPEN_STATUSES, FINAL_UNPAID_STATUSES],
  );
  return rows.map((r) => ({
    orderId: r.order_id, payStatus: r.pay_status, workflowId: r.workflow_id, channel: r.channel, channelOrderNo: r.channel_order_no, pollCount: r.poll_count,
  }));
}

/**
 * How long the most overdue poll that a poller would claim has been due, in seconds (0 when none is due). It grows
 * while no poller runs (workers at WORKER_POLLS=false and no poller process) or while pollers fall behind. The same
 * conditions as the claim, in the poll index's order.
 */
export async function oldestDuePollAgeSeconds(db: Queryable): Promise<number> {
  const { rows } = await db.query<{ age: number | null }>(
    `SELECT EXTRACT(EPOCH FROM now() - min(next_poll_at))::float8 AS age FROM (
       SELECT next_poll_at FROM orders
       WHERE next_poll_at <= now()
         AND ((pay_status = ANY($1::text[]) AND expire_at > now()) OR (pay_status = ANY($2::text[]) AND watch_until > now()))
       ORDER BY next_poll_at LIMIT 1) oldest`,
    [OPEN_STATUSES, FINAL_UNPAID_STATUSES],
  );
  return rows[0]?.age ?? 0;
}
