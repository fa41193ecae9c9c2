import type { Queryable } from './pool';

/**
 * Starts escalated to the human queue (migration 031): a refund or a payout whose workflow the workers' start
 * recovery could not start after START_RECOVERY_MAX_TRIES tries. The review it opened carries `startTries` in its
 * detail; support's retry start (support/start-retry.ts) clears the escalation and closes that review.
 */
export type StartItem = { kind: 'refund'; refundId: string } | { kind: 'payout'; orderId: string };

const target = (item: StartItem) => (item.kind === 'refund'
  ? { table: 'refunds', key: 'refund_id', id: item.refundId }
  : { table: 'payouts', key: 'order_id', id: item.orderId });

/** The item's escalation (when, after how many tries), or null when it is not in the human queue. */
export async function findStartEscalation(db: Queryable, item: StartItem): Promise<{ escalatedAtMs: number; tries: number } | null> {
  const t = target(item);
  const { rows } = await db.query<{ start_escalated_at: Date | null; start_tries: number }>(
    `SELECT start_escalated_at, start_tries FROM ${t.table} WHERE ${t.key} = $1`, [t.id],
  );
  const row = rows[0];
  return row?.start_escalated_at ? { escalatedAtMs: row.start_escalated_at.getTime(), tries: row.start_tries } : null;
}

/**
 * Takes the item out of the human queue (guarded: only while escalated): the escalation cleared, its tries back to 0,
 * and its last check now, so the workers' recovery does not claim it again before its interval (its workflow has just
 * been started). Returns the tries it had, or null when it was not escalated (another request took it out first).
 */
export async function clearStartEscalation(db: Queryable, item: StartItem): Promise<number | null> {
  const t = target(item);
  const { rows } = await db.query<{ tries: number }>(
    `UPDATE ${t.table} x SET start_escalated_at = NULL, start_tries = 0, start_checked_at = now()
     FROM (SELECT ${t.key}, start_tries FROM ${t.table} WHERE ${t.key} = $1 AND start_escalated_at IS NOT NULL FOR UPDATE) before
     WHERE x.${t.key} = before.${t.key} RETURNING before.start_tries AS tries`,
    [t.id],
  );
  return rows[0] ? rows[0].tries : null;
}

/** Closes the open review its escalation opened (detail.startTries) with the decision 'start_retried'. Returns how many. */
export async function closeStartReview(
  db: Queryable, r: { orderId: string; refundId: string | null; reason: string; actor: string },
): Promise<number> {
  const { rowCount } = await db.query(
    `UPDATE order_reviews SET decision = 'start_retried', decision_reason = $3, actor = $4, resolved_at = now()
     WHERE order_id = $1 AND COALESCE(refund_id, '') = COALESCE($2, '') AND resolved_at IS NULL AND detail ? 'startTries'`,
    [r.orderId, r.refundId, r.reason, r.actor],
  );
  return rowCount ?? 0;
}

/** True for a review opened by a start escalation (its workflow never ran: resolve cannot reach it; retry start can). */
export const isStartReview = (r: { detail?: Record<string, unknown> }): boolean => typeof r.detail?.startTries === 'number';
