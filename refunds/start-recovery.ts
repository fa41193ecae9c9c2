import type { Logger } from '../config/logger';
import { findMerchant } from '../db/merchants';
import { findOrderById, recordEvent } from '../db/orders';
import type { Pool } from '../db/pool';
import { claimUnstartedRefunds, markRefundStartEscalated, openRefundReview, type RefundRecord } from '../db/refunds';
import { inTransaction } from '../db/pool';
import { RefundStatus } from '../domain/refund-status';
import type { ClaimLoopHandle } from '../worker/claim-loop';
import { startWorkflowStartRecovery } from '../worker/start-recovery';
import { startRefundWorkflow, type RefundStartDeps } from './start-refund';

export interface RefundStartRecoveryDeps extends RefundStartDeps {
  pool: Pool;
  log: Logger;
  /** Called for each refund whose workflow this recovery started (not one that existed already). */
  onStarted?: (refund: RefundRecord) => void;
  batchSize?: number;
  concurrency?: number;
}

/**
 * The workers' recovery of refunds recorded but never started. POST /api/refund records the refund (r0001, its amount
 * held on the order) in one transaction, then starts its workflow; an API killed with SIGKILL, or a Temporal
 * unreachable, between the two leaves the refund r0001 with no workflow to move it. A start Temporal took is recorded
 * (refunds.workflow_started_at, refunds/start-refund.ts), so a refund whose workflow runs but waits for a free worker is
 * not mistaken for one never started. Every worker claims refunds still r0001 without a recorded start
 * REFUND_START_RECOVERY_AFTER after they were recorded (db/refunds.ts claimUnstartedRefunds: each one by one worker,
 * once per interval) and starts their workflow with the same id and input the API would have used; one running
 * already (the API died after the start, before recording it) is only recorded. One that cannot be started (its order
 * gone from the read model, its workflow closed with the refund still r0001, Temporal unreachable for good) goes to the
 * human queue after START_RECOVERY_MAX_TRIES tries (worker/start-recovery.ts).
 */
export function startRefundStartRecovery(deps: RefundStartRecoveryDeps): ClaimLoopHandle {
  return startWorkflowStartRecovery<RefundRecord>({
    name: 'refund start recovery',
    afterMs: deps.config.refunds.startRecoveryAfterMs,
    claim: (afterMs, limit) => claimUnstartedRefunds(deps.pool, RefundStatus.SUBMITTED, afterMs, limit),
    start: async (refund) => {
      const order = await findOrderById(deps.pool, refund.orderId);
      if (!order) throw new Error(`refund ${refund.refundId}: its order ${refund.orderId} is not in the read model`);
      const merchant = await findMerchant(deps.pool, refund.mercNo);
      const outcome = await startRefundWorkflow(deps, refund, order, merchant?.notifyScheduleMs ?? deps.config.notify.retryScheduleMs);
      // A running workflow is used as it is (it moves the refund once a worker takes it); 'existed' means its
      // workflow has closed with the refund still r0001, which no start can fix.
      if (outcome === 'existed') throw new Error(`its workflow ${refund.workflowId} has closed with the refund still ${RefundStatus.SUBMITTED}`);
      return outcome;
    },
    escalate: async (refund, reason, tries) => {
      return inTransaction(deps.pool, async (tx) => {
        // Started meanwhile (the merchant's repeat of its request): not put in the queue.
        if (!(await markRefundStartEscalated(tx, refund.refundId, RefundStatus.SUBMITTED))) return false;
        if (await openRefundReview(tx, { orderId: refund.orderId, refundId: refund.refundId, workflowId: refund.workflowId, reason, detail: { startTries: tries } })) {
          await recordEvent(tx, {
            orderId: refund.orderId, eventKey: `refund-start-escalated:${refund.refundId}`, type: 'review_opened',
            detail: { kind: 'refund_unknown', refundId: refund.refundId, reason, startTries: tries },
          });
        }
        return true;
      });
    },
    describe: (refund) => ({ refundId: refund.refundId, workflowId: refund.workflowId }),
    log: deps.log,
    ...(deps.onStarted ? { onStarted: deps.onStarted } : {}),
    ...(deps.batchSize ? { batchSize: deps.batchSize } : {}),
    ...(deps.concurrency ? { concurrency: deps.concurrency } : {}),
  });
}
