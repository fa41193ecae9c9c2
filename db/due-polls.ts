import type { Queryable } from './pool';

export interface DuePoll {
  orderId: string;
  workflowId: string;
  channel: string;
  channelOrderNo: string | null;
  pollCount: number;
}

/**
 * Claims up to `limit` open orders whose next poll is due and moves each one's next poll along the backoff schedule
 * (the last delay repeats). Orders past their expiry are left to their workflow's expiry check. Concurrent pollers
 * claim disjoint orders (SKIP LOCKED).
 */
export async function claimDuePolls(db: Queryable, scheduleMs: number[], limit: number): Promise<DuePoll[]> {
  const { rows } = await db.query<{
    order_id: string; workflow_id: string; channel: string; channel_order_no: string | null; poll_count: number;
  }>(
    `WITH due AS (
       SELECT order_id FROM orders
       WHERE next_poll_at <= now() AND pay_status IN ('p0001', 'p0002') AND expire_at > now()
       ORDER BY next_poll_at LIMIT $2
       FOR UPDATE SKIP LOCKED)
     UPDATE orders o SET
       poll_count = o.poll_count + 1,
       next_poll_at = now() + ($1::int[])[LEAST(o.poll_count + 2, array_length($1::int[], 1))] * interval '1 millisecond'
     FROM due WHERE o.order_id = due.order_id
     RETURNING o.order_id, o.workflow_id, o.channel, o.channel_order_no, o.poll_count`,
    [scheduleMs, limit],
  );
  return rows.map((r) => ({
    orderId: r.order_id, workflowId: r.workflow_id, channel: r.channel, channelOrderNo: r.channel_order_no, pollCount: r.poll_count,
  }));
}
