import type { ActivityDeps } from './deps';
import { inTransaction } from '../db/pool';
import { recordEvent } from '../db/orders';
import { closeRefundReview, findRefundById, openRefundReview, setRefundNotifyState, transitionRefund } from '../db/refunds';
import type { NotifyState } from '../domain/pay-status';
import { isFinalRefundStatus, REFUND_STATUS_NAMES, type RefundStatus } from '../domain/refund-status';

export interface RefundTransitionArgs {
  refundId: string;
  to: RefundStatus;
  channelRefundNo?: string;
  refundEndTime?: string;
  failReason?: string;
  detail?: Record<string, unknown>;
  /** A person's decision this transition applies (support resolve): audited with its actor. */
  decidedBy?: { actor: string; decision: 'refunded' | 'not_refunded'; reason: string };
}

/**
 * The refund's read-model writes. Each is idempotent (a replayed activity changes nothing twice): a transition is
 * guarded by the refund's status, and its audit event — on the order's trail, so support sees refunds in the order's
 * timeline — is keyed by the refund and the status it reached.
 */
export function createRefundRecordActivities({ pool }: ActivityDeps) {
  return {
    /** Moves the refund (and, when final, the order's ledger); answers the refund's status after it. */
    async refundTransition(a: RefundTransitionArgs): Promise<RefundStatus> {
      return inTransaction(pool, async (tx) => {
        const left = await transitionRefund(tx, a);
        if (left) {
          await recordEvent(tx, {
            orderId: left.orderId, eventKey: `refund:${a.refundId}:${a.to}`, type: `refund_${REFUND_STATUS_NAMES[a.to]}`,
            fromStatus: left.from, toStatus: a.to, detail: {
              refundId: a.refundId, amountFen: left.amountFen, ...(a.failReason ? { reason: a.failReason } : {}), ...a.detail,
              ...(a.decidedBy ? { decision: a.decidedBy.decision, actor: a.decidedBy.actor } : {}),
            },
            ...(a.decidedBy ? { actor: a.decidedBy.actor } : {}),
          });
          if (isFinalRefundStatus(a.to)) {
            await closeRefundReview(tx, a.decidedBy
              ? { refundId: a.refundId, ...a.decidedBy }
              : { refundId: a.refundId, decision: a.to === 'r0000' ? 'refunded' : 'not_refunded', reason: 'settled by the channel', actor: 'system' });
          }
          return a.to;
        }
        const now = await findRefundById(tx, a.refundId);
        if (!now) throw new Error(`refund ${a.refundId} has no read-model row`);
        return now.refundStatus;
      });
    },

    /** Puts the refund in the human queue (once) with an audit event on its order. */
    async openRefundReview(a: { orderId: string; refundId: string; workflowId: string; reason: string; detail: Record<string, unknown> }): Promise<void> {
      await inTransaction(pool, async (tx) => {
        if (await openRefundReview(tx, a)) {
          await recordEvent(tx, {
            orderId: a.orderId, eventKey: `refund-review:${a.refundId}`, type: 'review_opened',
            detail: { kind: 'refund_unknown', refundId: a.refundId, reason: a.reason, ...a.detail },
          });
        }
      });
    },

    async setRefundNotifyState(a: { refundId: string; refundStatus: RefundStatus; state: NotifyState; attempts: number; nextAtMs: number | null }): Promise<void> {
      await setRefundNotifyState(pool, a.refundId, a);
    },
  };
}
