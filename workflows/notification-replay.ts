import { upsertSearchAttributes } from '@temporalio/workflow';
import type { NotificationReplayInput } from './definitions';
import { orderActivities } from './activity-options';
import { SA } from './search-attributes';
import { notifyIdOf } from '../domain/order';
import type { PayStatus } from '../domain/pay-status';
import { refundNotifyIdOf, type RefundStatus } from '../domain/refund-status';

/**
 * Support's "replay now" for an order (or a refund, with refundId) whose workflow has closed: one more attempt of the same notification (same
 * X-Notify-Id, the next attempt number), recorded like every other attempt.
 */
export async function notificationReplayWorkflow(input: NotificationReplayInput): Promise<{ delivered: boolean; attempt: number }> {
  const acts = orderActivities();
  const notifyId = input.refundId !== undefined
    ? refundNotifyIdOf(input.refundId, input.payStatus as RefundStatus)
    : notifyIdOf(input.orderId, input.payStatus as PayStatus);
  const attempt = await acts.nextNotifyAttempt({ notifyId });
  const result = await acts.deliverNotification({
    orderId: input.orderId, notifyId, attempt, payStatus: input.payStatus, nextDelayMs: null,
    ...(input.url ? { url: input.url } : {}), ...(input.refundId !== undefined ? { refundId: input.refundId } : {}),
  });
  upsertSearchAttributes([{ key: SA.notifyState, value: result.notifyState }]);
  return { delivered: result.delivered, attempt };
}
