import { WorkflowUpdateFailedError } from '@temporalio/client';
import type { SupportEnv } from './temporal';
import { DECISION_UPDATE, isWorkflowGone } from './temporal';
import { sendUpdate } from '../temporal/updates';
import { findOrderById, type OrderRecord } from '../db/orders';
import { listOpenReviews, listReviewsOf, type OrderReview } from '../db/order-reviews';
import { SupportError } from '../domain/errors';
import { resolveReviewUpdate, type ReviewResolution } from '../workflows/definitions';
import { randomUUID } from 'node:crypto';
import { recordEvent } from '../db/orders';
import { closeReconReview } from '../db/recon';
import { isStartReview } from '../db/start-escalations';
import { neverStartedConflict, retryStartPath } from './start-retry';

/** The human queue: orders waiting for a person's decision, longest waiting first. */
export async function ambiguousOrders(env: SupportEnv, q: { limit: number; mercNo?: string }) {
  const { total, reviews } = await listOpenReviews(env.pool, q);
  return {
    total,
    orders: reviews.map((r) => ({
      orderId: r.orderId, mercNo: r.mercNo, mercOrderNo: r.mercOrderNo, payStatus: r.payStatus, tradeAmtFen: r.amountFen,
      kind: r.kind, reason: r.reason, detail: r.detail, openedAt: new Date(r.openedAtMs).toISOString(), workflowId: r.workflowId,
      // A refund's review (kind refund_unknown) is resolved through POST /support/v1/refunds/{refundId}/resolve.
      ...(r.refundId ? { refundId: r.refundId } : {}),
      // A start the workers gave up on (its workflow never ran) is acted on with retry start, not resolve.
      ...(isStartReview(r) ? { retryStart: retryStartPath(r) } : {}),
    })),
  };
}

/**
 * Resolves an order in the human queue: the decision goes to the workflow that holds the review (an update, so the
 * answer comes after the workflow has applied and audited it), never straight into the read model.
 */
export async function resolveOrder(
  env: SupportEnv, order: OrderRecord, resolution: ReviewResolution, reviewId?: number,
): Promise<{ order: OrderRecord; review: OrderReview }> {
  const open = (await listReviewsOf(env.pool, order.orderId)).filter((r) => r.resolvedAtMs === null && r.refundId === null);
  // The review named (the console's form of one review), else a review its workflow holds first; a reconciliation
  // finding (kind reconciliation) is settled by the person alone.
  const review = reviewId !== undefined ? open.find((r) => r.id === reviewId) : (open.find((r) => !isReconReview(r)) ?? open[0]);
  if (!review && reviewId !== undefined) throw new SupportError('conflict', `review ${reviewId} is not an open review of order ${order.orderId} (resolved meanwhile?)`);
  if (!review) throw new SupportError('conflict', `order ${order.orderId} is not waiting for a decision (support ambiguous lists those that are)`);
  if (isStartReview(review)) throw neverStartedConflict(review);
  if (isReconReview(review)) {
    await settleReconReview(env, order.orderId, null, resolution);
    const settled = (await listReviewsOf(env.pool, order.orderId)).find((r) => r.id === review.id)!;
    return { order: (await findOrderById(env.pool, order.orderId)) ?? order, review: settled };
  }
  try {
    await sendUpdate(() => env.temporal.workflow.getHandle(review.workflowId).executeUpdate(resolveReviewUpdate, { args: [resolution] }), DECISION_UPDATE);
  } catch (err) {
    if (isWorkflowGone(err)) throw new SupportError('conflict', `the workflow ${review.workflowId} holding this review is no longer running`);
    if (err instanceof WorkflowUpdateFailedError) throw new SupportError('conflict', `the order's workflow refused the decision: ${err.cause?.message ?? err.message}`);
    throw err;
  }
  const after = await findOrderById(env.pool, order.orderId);
  const resolved = (await listReviewsOf(env.pool, order.orderId)).find((r) => r.id === review.id)!;
  return { order: after ?? order, review: resolved };
}

const isReconReview = (r: Pick<OrderReview, 'kind'>) => (r.kind as string) === 'reconciliation';

/**
 * Settles a reconciliation finding in the human queue (a person has sorted it out with the channel: a payment or a
 * refund of another amount, one the channel does not list). The order itself is not moved: what the person found is
 * recorded on its trail with the operator as actor.
 */
export async function settleReconReview(
  env: Pick<SupportEnv, 'pool'>, orderId: string, refundId: string | null, resolution: { decision: string; reason: string; actor: string },
): Promise<boolean> {
  const closed = await closeReconReview(env.pool, { orderId, refundId, ...resolution });
  if (closed > 0) {
    await recordEvent(env.pool, {
      orderId, eventKey: `support:${randomUUID()}`, type: 'support_recon_settled',
      detail: { decision: resolution.decision, reason: resolution.reason, ...(refundId ? { refundId } : {}) }, actor: resolution.actor,
    });
  }
  return closed > 0;
}
