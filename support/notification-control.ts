import { randomUUID } from 'node:crypto';
import { WorkflowExecutionAlreadyStartedError } from '@temporalio/client';
import { isWorkflowGone, type SupportEnv } from './temporal';
import { findMerchant } from '../db/merchants';
import { listAttempts } from '../db/notify-attempts';
import { recordEvent, type OrderRecord } from '../db/orders';
import { SupportError } from '../domain/errors';
import { lateReportWorkflowId, notifyIdOf } from '../domain/order';
import { isFinalStatus, NotifyState, PayStatus } from '../domain/pay-status';
import { notifyControlSignal, type NotifyControl } from '../workflows/definitions';
import type { notificationReplayWorkflow } from '../workflows/notification-replay';
import { SA } from '../workflows/search-attributes';
import { STATUS_NAMES } from '../domain/order-transitions';

export type ReplayOutcome =
  /** The order's workflow (or its late-payment follow-up) is open: it was signalled and attempts at once. */
  | { path: 'signal'; workflowId: string }
  /** The workflow has closed: a one-attempt notification workflow sends attempt n+1 (same X-Notify-Id). */
  | { path: 'replay-workflow'; workflowId: string; notifyId: string; attempt: number; url: string; alreadyRunning: boolean };

const describeStatus = (s: string) => `${s} (${STATUS_NAMES[s as PayStatus] ?? 'unknown'})`;

/** Signals the order's open workflow — the order workflow, else its late-payment follow-up. Null when none is open. */
async function signalOpenWorkflow(env: SupportEnv, order: OrderRecord, control: NotifyControl): Promise<string | null> {
  const candidates = [order.workflowId, ...(order.latePayment ? [lateReportWorkflowId(order.mercNo, order.mercOrderNo)] : [])];
  for (const workflowId of candidates) {
    try {
      await env.temporal.workflow.getHandle(workflowId).signal(notifyControlSignal, control);
      return workflowId;
    } catch (err) {
      if (!isWorkflowGone(err)) throw err;
    }
  }
  return null;
}

/** Who a support action is done by: the authenticated operator, and the bulk job it is part of, if any. */
export interface SupportOrigin {
  /** The operator's name (SUPPORT_OPERATORS); null only for a job started before operators were named. */
  actor: string | null;
  jobId?: string;
}

async function audit(env: SupportEnv, order: OrderRecord, action: string, detail: Record<string, unknown>, actor: string | null): Promise<void> {
  await recordEvent(env.pool, { orderId: order.orderId, eventKey: `support:${randomUUID()}`, type: `support_${action}`, detail, actor });
}

/** Refuses a replay that cannot deliver anything: an order not final yet, a paused notification, an unnotified state. */
async function assertReplayable(env: SupportEnv, order: OrderRecord): Promise<void> {
  if (!isFinalStatus(order.payStatus)) {
    throw new SupportError('conflict', `the order is ${describeStatus(order.payStatus)}: not final yet, so there is no notification to replay`);
  }
  if (order.notifyState === NotifyState.PAUSED) {
    throw new SupportError('conflict', 'the notification is paused: resume it (resuming attempts at once)');
  }
  if (order.notifyState === NotifyState.NONE && order.payStatus !== PayStatus.PAID) {
    const merchant = await findMerchant(env.pool, order.mercNo);
    if (!merchant?.notifyStatuses.includes(order.payStatus)) {
      throw new SupportError('conflict', `merchant ${order.mercNo} is not notified of ${describeStatus(order.payStatus)} (its notify statuses)`);
    }
  }
}

/**
 * Support's "send the notification again now". An open workflow gets the replay signal and makes its next attempt at
 * once (it serialises attempts). A closed one gets a notificationReplayWorkflow whose id carries the attempt number
 * (`replay:<notifyId>:<n>`), so two replays of the same attempt cannot run at once: the second finds the first.
 * The replay goes to the URL the last attempt used (a support redirect included), else to the order's notifyUrl.
 */
export async function replayNotification(env: SupportEnv, order: OrderRecord, origin: SupportOrigin): Promise<ReplayOutcome> {
  await assertReplayable(env, order);
  const signalled = await signalOpenWorkflow(env, order, { action: 'replay' });
  let outcome: ReplayOutcome;
  if (signalled) {
    outcome = { path: 'signal', workflowId: signalled };
  } else {
    const notifyId = notifyIdOf(order.orderId, order.payStatus);
    const attempts = (await listAttempts(env.pool, order.orderId)).filter((a) => a.notifyId === notifyId);
    const last = attempts.reduce<(typeof attempts)[number] | undefined>((m, a) => (!m || a.attempt > m.attempt ? a : m), undefined);
    const attempt = (last?.attempt ?? 0) + 1;
    const url = last?.url ?? order.notifyUrl;
    const workflowId = `replay:${notifyId}:${attempt}`;
    let alreadyRunning = false;
    try {
      await env.temporal.workflow.start<typeof notificationReplayWorkflow>('notificationReplayWorkflow', {
        workflowId,
        taskQueue: env.taskQueue,
        args: [{ orderId: order.orderId, payStatus: order.payStatus, ...(url !== order.notifyUrl ? { url } : {}) }],
        workflowIdConflictPolicy: 'FAIL',
        workflowIdReusePolicy: 'ALLOW_DUPLICATE_FAILED_ONLY',
        // OrderId only: `OrderId = "…"` finds the order's workflows and replays; merchant-wide filters stay order-only.
        typedSearchAttributes: [{ key: SA.orderId, value: order.orderId }],
      });
    } catch (err) {
      if (!(err instanceof WorkflowExecutionAlreadyStartedError)) throw err;
      alreadyRunning = true;
    }
    outcome = { path: 'replay-workflow', workflowId, notifyId, attempt, url, alreadyRunning };
  }
  await audit(env, order, 'replay', { path: outcome.path, workflowId: outcome.workflowId, ...(origin.jobId ? { jobId: origin.jobId } : {}) }, origin.actor);
  return outcome;
}

/**
 * Pause, resume or redirect the pending notification of an order whose workflow is open. A closed workflow has no
 * pending notification: refused with the reason (conflict).
 */
export async function controlNotification(
  env: SupportEnv,
  order: OrderRecord,
  control: Exclude<NotifyControl, { action: 'replay' }>,
  origin: SupportOrigin,
): Promise<{ workflowId: string }> {
  const workflowId = await signalOpenWorkflow(env, order, control);
  if (!workflowId) {
    throw new SupportError('conflict',
      `the order's workflow has finished (${describeStatus(order.payStatus)}, notification ${order.notifyState} after ` +
      `${order.notifyAttempts} attempt(s)): ${control.action} only applies while it is open; use replay to send the notification again`);
  }
  await audit(env, order, control.action, { workflowId, ...(control.action === 'redirect' ? { url: control.url } : {}) }, origin.actor);
  return { workflowId };
}
