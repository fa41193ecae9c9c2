import type { Logger } from '../config/logger';
import { findOrderById, recordEvent } from '../db/orders';
import { claimUnstartedPayouts, markPayoutStartEscalated } from '../db/payouts';
import { openReview } from '../db/order-reviews';
import { inTransaction } from '../db/pool';
import { PayStatus } from '../domain/pay-status';
import type { ClaimLoopHandle } from '../worker/claim-loop';
import { startWorkflowStartRecovery } from '../worker/start-recovery';
import { startPayoutWorkflow, type PayoutStartDeps } from './start-payout';

export interface PayoutStartRecoveryDeps extends PayoutStartDeps {
  log: Logger;
  /** Called for each payout whose workflow this recovery started (not one that existed already). */
  onStarted?: (orderId: string) => void;
}

/**
 * The workers' recovery of payouts accepted but never started. The unified order accepts a payout (order p0001, payee
 * row, its amount counted against the day's limit) in one transaction, then starts its workflow; an API killed with
 * SIGKILL, or a Temporal unreachable, between the two leaves a payout holding its share of the limit with no workflow
 * to move it. Every worker claims payouts whose start is not recorded PAYOUT_START_RECOVERY_AFTER after they were
 * accepted (db/payouts.ts claimUnstartedPayouts: each one by one worker, once per interval) and starts their workflow
 * with the id and input the API uses (payouts/start-payout.ts); one that exists already is only recorded as started.
 * One that cannot be started goes to the human queue after START_RECOVERY_MAX_TRIES tries (worker/start-recovery.ts).
 */
export function startPayoutStartRecovery(deps: PayoutStartRecoveryDeps): ClaimLoopHandle {
  return startWorkflowStartRecovery<string>({
    name: 'payout start recovery',
    afterMs: deps.config.payouts.startRecoveryAfterMs,
    claim: (afterMs, limit) => claimUnstartedPayouts(deps.pool, PayStatus.SUBMITTED, afterMs, limit),
    start: async (orderId) => {
      const order = await findOrderById(deps.pool, orderId);
      if (!order) throw new Error(`payout ${orderId} is not in the read model`);
      return startPayoutWorkflow(deps, order);
    },
    escalate: async (orderId, reason, tries) => {
      return inTransaction(deps.pool, async (tx) => {
        // Started meanwhile (the merchant's repeat of its request): not put in the queue.
        if (!(await markPayoutStartEscalated(tx, orderId))) return false;
        const order = await findOrderById(tx, orderId);
        if (order && await openReview(tx, { orderId, workflowId: order.workflowId, kind: 'unknown_result', reason, detail: { payout: true, startTries: tries } })) {
          await recordEvent(tx, {
            orderId, eventKey: `payout-start-escalated:${orderId}`, type: 'review_opened',
            detail: { kind: 'unknown_result', payout: true, reason, startTries: tries },
          });
        }
        return true;
      });
    },
    describe: (orderId) => ({ orderId }),
    log: deps.log,
    ...(deps.onStarted ? { onStarted: deps.onStarted } : {}),
  });
}
