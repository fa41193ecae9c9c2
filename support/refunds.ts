import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError, WorkflowUpdateFailedError } from '@temporalio/client';
import { DECISION_UPDATE, isWorkflowGone, type SupportEnv } from './temporal';
import { sendUpdate } from '../temporal/updates';
import { listAttempts } from '../db/notify-attempts';
import { recordEvent } from '../db/orders';
import { findRefundById, type RefundRecord } from '../db/refunds';
import { SupportError } from '../domain/errors';
import { settleReconReview } from './reviews';
import { listReviewsOf } from '../db/order-reviews';
import { isStartReview } from '../db/start-escalations';
import { neverStartedConflict } from './start-retry';
import { NotifyState } from '../domain/pay-status';
import { isFinalRefundStatus, refundNotifyIdOf } from '../domain/refund-status';
import { notifyControlSignal, resolveRefundUpdate, type NotifyControl, type RefundResolution } from '../workflows/definitions';
import type { notificationReplayWorkflow } from '../workflows/notification-replay';
import { SA } from '../workflows/search-attributes';

/** A refund by refundId, or not_found. */
export async function loadRefund(env: SupportEnv, refundId: string): Promise<RefundRecord> {
  const refund = await findRefundById(env.pool, refundId);
  if (!refund) throw new SupportError('not_found', `no refund ${refundId}`);
  return refund;
}

/**
 * Settles a refund waiting in the human queue (kind refund_unknown): the decision goes to the refund's workflow (an
 * update, answered once it has applied and audited it with the operator as actor), never straight into the read model.
 */
export async function resolveRefund(env: SupportEnv, refund: RefundRecord, resolution: RefundResolution): Promise<RefundRecord> {
  // A review its workflow holds first; a reconciliation finding about the refund (the channel lists another amount,
  // or none) is settled by the person alone.
  const open = (await listReviewsOf(env.pool, refund.orderId)).filter((r) => r.refundId === refund.refundId && r.resolvedAtMs === null);
  const start = open.find(isStartReview);
  if (start) throw neverStartedConflict(start);
  if (!open.some((r) => (r.kind as string) !== 'reconciliation') && await settleReconReview(env, refund.orderId, refund.refundId, resolution)) return refund;
  try {
    await sendUpdate(() => env.temporal.workflow.getHandle(refund.workflowId).executeUpdate(resolveRefundUpdate, { args: [resolution] }), DECISION_UPDATE);
  } catch (err) {
    if (isWorkflowGone(err)) throw new SupportError('conflict', `the refund's workflow ${refund.workflowId} is no longer running (refund ${refund.refundStatus})`);
    if (err instanceof WorkflowUpdateFailedError) throw new SupportError('conflict', `the refund's workflow refused the decision: ${err.cause?.message ?? err.message}`);
    throw err;
  }
  return (await findRefundById(env.pool, refund.refundId)) ?? refund;
}

async function audit(env: SupportEnv, refund: RefundRecord, action: string, detail: Record<string, unknown>, actor: string): Promise<void> {
  await recordEvent(env.pool, { orderId: refund.orderId, eventKey: `support:${randomUUID()}`, type: `support_refund_${action}`, detail: { refundId: refund.refundId, ...detail }, actor });
}

/**
 * Replays a final refund's notification now: its open workflow is signalled (it attempts at once); a closed one gets a
 * one-attempt notificationReplayWorkflow (same X-Notify-Id, the next attempt number), as payment notifications do.
 */
export async function replayRefundNotification(env: SupportEnv, refund: RefundRecord, actor: string): Promise<{ path: 'signal' | 'replay-workflow'; workflowId: string }> {
  if (!isFinalRefundStatus(refund.refundStatus)) throw new SupportError('conflict', `the refund is ${refund.refundStatus}: not final yet, so there is no notification to replay`);
  if (refund.notifyState === NotifyState.PAUSED) throw new SupportError('conflict', 'the notification is paused: resume it (resuming attempts at once)');
  let outcome: { path: 'signal' | 'replay-workflow'; workflowId: string };
  try {
    await env.temporal.workflow.getHandle(refund.workflowId).signal(notifyControlSignal, { action: 'replay' });
    outcome = { path: 'signal', workflowId: refund.workflowId };
  } catch (err) {
    if (!isWorkflowGone(err)) throw err;
    const notifyId = refundNotifyIdOf(refund.refundId, refund.refundStatus);
    const attempts = (await listAttempts(env.pool, refund.orderId)).filter((a) => a.notifyId === notifyId);
    const last = attempts.reduce<(typeof attempts)[number] | undefined>((m, a) => (!m || a.attempt > m.attempt ? a : m), undefined);
    const url = last?.url ?? refund.notifyUrl;
    const workflowId = `replay:${notifyId}:${(last?.attempt ?? 0) + 1}`;
    try {
      await env.temporal.workflow.start<typeof notificationReplayWorkflow>('notificationReplayWorkflow', {
        workflowId, taskQueue: env.taskQueue,
        args: [{ orderId: refund.orderId, refundId: refund.refundId, payStatus: refund.refundStatus, ...(url !== refund.notifyUrl ? { url } : {}) }],
        workflowIdConflictPolicy: 'FAIL', workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
        typedSearchAttributes: [{ key: SA.orderId, value: refund.orderId }],
      });
    } catch (e) {
      if (!(e instanceof WorkflowExecutionAlreadyStartedError)) throw e;
    }
    outcome = { path: 'replay-workflow', workflowId };
  }
  await audit(env, refund, 'replay', outcome, actor);
  return outcome;
}

/** Pause, resume or redirect the pending refund notification (while the refund's workflow runs). */
export async function controlRefundNotification(
  env: SupportEnv, refund: RefundRecord, control: Exclude<NotifyControl, { action: 'replay' }>, actor: string,
): Promise<{ workflowId: string }> {
  try {
    await env.temporal.workflow.getHandle(refund.workflowId).signal(notifyControlSignal, control);
  } catch (err) {
    if (!isWorkflowGone(err)) throw err;
    throw new SupportError('conflict', `the refund's workflow has finished (notification ${refund.notifyState}): ${control.action} only applies while it runs; use replay`);
  }
  await audit(env, refund, control.action, control.action === 'redirect' ? { url: control.url } : {}, actor);
  return { workflowId: refund.workflowId };
}
