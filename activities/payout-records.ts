import type { ActivityDeps } from './deps';
import { inTransaction } from '../db/pool';
import { recordEvent, statusAfterRefusal, transitionOrder } from '../db/orders';
import { decidePayoutApproval, recordPayoutOutcome, releasePayoutLimit } from '../db/payouts';
import { PayStatus } from '../domain/pay-status';
import type { PayoutApprovalDecision } from '../domain/payout';
import type { TransitionArgs, TransitionOutcome } from './order-records';

export type PayoutTransitionArgs = TransitionArgs & {
  /** The payout's amount: a payout that ends failed gives it back to its day's limit. */
  amountFen: number;
  channelTransferNo?: string;
  failReason?: string;
  /** The support operator whose decision this transition applies. */
  actor?: string;
};

/**
 * The payout's read-model writes. Each is idempotent (a replayed activity changes nothing twice): the transition is
 * guarded by the order's status, its audit event keyed, and the limit given back at most once (payouts.reserved).
 */
export function createPayoutRecordActivities({ pool, metrics, log }: ActivityDeps) {
  return {
    /**
     * Moves a payout as the transition table said (the workflow asked it), with what the channel said, and — when it
     * ends failed — gives its amount back to the day's limit, in one transaction.
     */
    async payoutTransition(a: PayoutTransitionArgs): Promise<TransitionOutcome> {
      const applied = await inTransaction(pool, async (tx) => {
        const left = await transitionOrder(tx, a);
        if (!left) return null;
        await recordEvent(tx, {
          orderId: a.orderId, eventKey: a.eventKey, type: a.eventType, fromStatus: left.from, toStatus: a.to,
          detail: { ...a.detail, ...(a.actor ? { actor: a.actor } : {}) }, ...(a.actor ? { actor: a.actor } : {}),
        });
        if (a.channelTransferNo || a.failReason) {
          await recordPayoutOutcome(tx, { orderId: a.orderId, ...(a.channelTransferNo ? { channelTransferNo: a.channelTransferNo } : {}), ...(a.failReason ? { failReason: a.failReason } : {}) });
        }
        if (a.to === PayStatus.FAILED && await releasePayoutLimit(tx, a.orderId, a.amountFen)) {
          await recordEvent(tx, { orderId: a.orderId, eventKey: 'payout-limit-released', type: 'payout_limit_released', detail: { amountFen: a.amountFen } });
        }
        return left;
      });
      if (applied) {
        metrics?.orderTransition({ from: applied.from, to: a.to, channel: applied.channel });
        return { applied: true, payStatus: a.to, tradeEndTime: a.tradeEndTime ?? null, latePayment: a.latePayment ?? false };
      }
      const now = await statusAfterRefusal(pool, a.orderId, a.eventKey);
      if (!now) throw new Error(`payout ${a.orderId} has no read-model row`);
      const repeat = now.payStatus === a.to && now.eventRecorded;
      if (!repeat) log.warn({ orderId: a.orderId, wanted: a.to, held: now.payStatus }, 'payout transition refused: the read model holds another status');
      return { applied: repeat, payStatus: now.payStatus, tradeEndTime: now.tradeEndTime, latePayment: now.latePayment };
    },

    /** Records a support operator's approval decision (once) with an audit event naming the operator. */
    async recordPayoutApproval(a: { orderId: string; decision: PayoutApprovalDecision; actor: string; reason: string }): Promise<void> {
      await inTransaction(pool, async (tx) => {
        if (await decidePayoutApproval(tx, { orderId: a.orderId, approval: a.decision === 'approve' ? 'approved' : 'rejected', actor: a.actor, reason: a.reason })) {
          await recordEvent(tx, {
            orderId: a.orderId, eventKey: 'payout-approval', type: a.decision === 'approve' ? 'payout_approved' : 'payout_approval_rejected',
            detail: { decision: a.decision, reason: a.reason, actor: a.actor }, actor: a.actor,
          });
        }
      });
    },
  };
}
