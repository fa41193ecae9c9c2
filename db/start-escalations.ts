import { recordEvent } from './orders';
import { inTransaction, type Pool, type Queryable } from './pool';

/**
 * Starts escalated to the human queue (migration 031): a refund or a payout whose workflow the workers' start
 * recovery could not start after START_RECOVERY_MAX_TRIES tries. The review it opened carries `startTries` in its
 * detail. Once its workflow has been started, by support's retry start (support/start-retry.ts) or by the merchant's
 * repeat of its request (refunds/request-refund.ts, payouts/place-payout.ts), takeStartOutOfQueue clears the
 * escalation and closes that review.
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
 * been started). Returns the tries it had and when it was escalated, or null when it was not escalated (another
 * request took it out first).
 */
export async function clearStartEscalation(db: Queryable, item: StartItem): Promise<{ tries: number; escalatedAtMs: number } | null> {
  const t = target(item);
  const { rows } = await db.query<{ tries: number; escalated_at: Date }>(
    `UPDATE ${t.table} x SET start_escalated_at = NULL, start_tries = 0, start_checked_at = now()
     FROM (SELECT ${t.key}, start_tries, start_escalated_at FROM ${t.table} WHERE ${t.key} = $1 AND start_escalated_at IS NOT NULL FOR UPDATE) before
     WHERE x.${t.key} = before.${t.key} RETURNING before.start_tries AS tries, before.start_escalated_at AS escalated_at`,
    [t.id],
  );
  return rows[0] ? { tries: rows[0].tries, escalatedAtMs: rows[0].escalated_at.getTime() } : null;
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

/** Who took a started item out of the human queue: support's retry start, or the merchant's repeat of its request. */
export type StartQueueExit =
  | { by: 'support'; actor: string; reason: string }
  | { by: 'merchant_repeat'; mercNo: string };

/** The actor, review reason and audit event type each way out of the queue is recorded with. */
function exitRecord(exit: StartQueueExit): { actor: string; reason: string; eventType: 'support_start_retried' | 'start_resumed_by_repeat' } {
  return exit.by === 'support'
    ? { actor: exit.actor, reason: exit.reason, eventType: 'support_start_retried' }
    : { actor: `merchant:${exit.mercNo}`, reason: "started by the merchant's repeat request", eventType: 'start_resumed_by_repeat' };
}

/**
 * Takes an item out of the human queue after its workflow started (Temporal took the start, or it had run already),
 * in one transaction: the escalation cleared (guarded: only while escalated), the start review closed with the
 * decision 'start_retried' (the actor and reason of `exit`), and one event on the order's trail (support_start_retried
 * or start_resumed_by_repeat, keyed by the escalation so it is written once). Shared by support's retry start and the
 * merchant's repeat: when both act at once, exactly one of them closes it. Returns the tries the workers had made,
 * or null when the item was not escalated (nothing written).
 */
export async function takeStartOutOfQueue(
  pool: Pool, item: StartItem, s: { orderId: string; workflowId: string; start: 'started' | 'existed' }, exit: StartQueueExit,
): Promise<number | null> {
  const refundId = item.kind === 'refund' ? item.refundId : null;
  const rec = exitRecord(exit);
  return inTransaction(pool, async (tx) => {
    const cleared = await clearStartEscalation(tx, item);
    if (cleared === null) return null;
    await closeStartReview(tx, { orderId: s.orderId, refundId, reason: rec.reason, actor: rec.actor });
    await recordEvent(tx, {
      orderId: s.orderId, eventKey: `start-out-of-queue:${refundId ?? 'payout'}:${cleared.escalatedAtMs}`, type: rec.eventType, actor: rec.actor,
      detail: { ...(refundId ? { refundId } : { payout: true }), workflowId: s.workflowId, start: s.start, previousTries: cleared.tries, reason: rec.reason },
    });
    return cleared.tries;
  });
}

/**
 * takeStartOutOfQueue for a path that runs on every repeat (the merchant's): a plain read first, the transaction only
 * when the item is escalated. Returns the tries, or null when it was not escalated.
 */
export async function takeStartOutOfQueueIfEscalated(
  pool: Pool, item: StartItem, s: { orderId: string; workflowId: string; start: 'started' | 'existed' }, exit: StartQueueExit,
): Promise<number | null> {
  if (!(await findStartEscalation(pool, item))) return null;
  return takeStartOutOfQueue(pool, item, s, exit);
}
