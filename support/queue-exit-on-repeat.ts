import type { Logger } from '../config/logger';
import type { Pool } from '../db/pool';
import { takeStartOutOfQueueIfEscalated, type StartItem } from '../db/start-escalations';

/**
 * A merchant's repeat found the refund's or payout's workflow running (the repeat started it, or it had run): a start
 * the workers gave up on leaves the human queue (db/start-escalations.ts takeStartOutOfQueue, as support's retry start
 * does), the merchant as the actor. The escalation is read fresh, not from the record read before the start: the
 * recovery may have escalated it meanwhile. A failure here does not fail the merchant's answer (the item runs);
 * support's retry start can still take it out.
 */
export async function leaveQueueOnRepeat(
  deps: { pool: Pool; log: Logger }, item: StartItem, owner: { orderId: string; workflowId: string; mercNo: string }, start: 'started' | 'existed',
): Promise<void> {
  const s = { orderId: owner.orderId, workflowId: owner.workflowId, start };
  const what = item.kind === 'refund' ? { refundId: item.refundId } : { orderId: item.orderId };
  try {
    const tries = await takeStartOutOfQueueIfEscalated(deps.pool, item, s, { by: 'merchant_repeat', mercNo: owner.mercNo });
    if (tries !== null) deps.log.info({ ...what, workflowId: s.workflowId, previousTries: tries }, `${item.kind} start taken out of the human queue: started by the merchant's repeat`);
  } catch (err) {
    deps.log.warn({ ...what, err: (err as Error).message }, `${item.kind} started by a repeat, but its start escalation not cleared`);
  }
}
