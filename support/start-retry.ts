import type { AppConfig } from '../config';
import { findMerchant } from '../db/merchants';
import { findOrderById, type OrderRecord } from '../db/orders';
import { findPayout } from '../db/payouts';
import type { RefundRecord } from '../db/refunds';
import { RefundStatus } from '../domain/refund-status';
import { findStartEscalation, takeStartOutOfQueue, type StartItem } from '../db/start-escalations';
import { SupportError } from '../domain/errors';
import { startPayoutWorkflow } from '../payouts/start-payout';
import { startRefundWorkflow } from '../refunds/start-refund';
import { within, type SupportEnv } from './temporal';

/** The support API path that retries an escalated start: a refund's, or (no refundId) a payout's. */
export const retryStartPath = (r: { orderId: string; refundId: string | null }): string =>
  (r.refundId ? `/support/v1/refunds/${r.refundId}/retry-start` : `/support/v1/orders/${r.orderId}/retry-start`);

/** A resolve that reached a start the workers gave up on: nothing to decide yet, the answer names retry start. */
export function neverStartedConflict(review: { orderId: string; refundId: string | null; detail: Record<string, unknown> }): SupportError {
  const what = review.refundId ? `refund ${review.refundId}` : `payout ${review.orderId}`;
  return new SupportError('conflict', `${what}: its workflow was never started (the workers gave up after ${String(review.detail.startTries)} tries), so there is nothing to decide yet: fix the cause, then POST ${retryStartPath(review)}`);
}

/** How long a retry start waits for Temporal to take the start before answering try_again (nothing changed then). */
export const START_RETRY_DEADLINE_MS = 10_000;

export interface StartRetryEnv extends SupportEnv {
  config: Pick<AppConfig, 'temporal' | 'refunds' | 'payouts' | 'notify'>;
}

export interface StartRetryOutcome {
  workflowId: string;
  /**
   * 'started': Temporal took the start now (or the workflow was running already); 'existed': it had run already (a
   * payout's workflow that closed, a refund moved past r0001 since): only taken out of the queue. (A merchant's repeat
   * that started it has taken it out of the queue itself: retry start then finds nothing escalated, conflict.)
   */
  start: 'started' | 'existed';
  /** How many tries the workers' start recovery had made before it escalated. */
  previousTries: number;
  actor: string;
}

/**
 * Support's action on a start escalated to the human queue (a refund or payout whose workflow the workers' start
 * recovery could not start: worker/start-recovery.ts). The person has fixed the cause; this starts the workflow now,
 * through the same use case as the recovery and the API (same deterministic workflow id and input), and only once
 * Temporal has taken it takes the item out of the queue: escalation cleared, tries reset, the review closed with the
 * decision start_retried (the operator as actor, their reason), a support_start_retried event on the order's trail
 * (db/start-escalations.ts takeStartOutOfQueue, shared with the merchant's repeat that starts it).
 * A start that still fails changes nothing and answers why (conflict, or try_again when Temporal did not answer).
 * Idempotent: the start is idempotent by its workflow id, and a repeat finds nothing escalated (conflict).
 */
export async function retryRefundStart(env: StartRetryEnv, refund: RefundRecord, r: { reason: string; actor: string }): Promise<StartRetryOutcome> {
  const item: StartItem = { kind: 'refund', refundId: refund.refundId };
  await escalationOf(env, item, `refund ${refund.refundId}`, `it is ${refund.refundStatus}`);
  // Moved past r0001 since: its workflow ran (started, then escalated before its start could be recorded); nothing to start.
  if (refund.refundStatus !== RefundStatus.SUBMITTED) {
    return takeOutOfQueue(env, item, { orderId: refund.orderId, refundId: refund.refundId, workflowId: refund.workflowId, start: 'existed' }, r);
  }
  const order = await findOrderById(env.pool, refund.orderId);
  if (!order) throw new SupportError('conflict', `refund ${refund.refundId}: its order ${refund.orderId} is not in the read model`);
  const merchant = await findMerchant(env.pool, refund.mercNo);
  const start = await startNow(refund.workflowId, () => startRefundWorkflow(env, refund, order, merchant?.notifyScheduleMs ?? env.config.notify.retryScheduleMs));
  // Under USE_EXISTING a running workflow is 'started'; 'existed' is a closed run with the refund still r0001.
  if (start === 'existed') {
    throw new SupportError('conflict', `refund ${refund.refundId}: its workflow ${refund.workflowId} has closed with the refund still ${refund.refundStatus}; a start cannot fix that`);
  }
  return takeOutOfQueue(env, item, { orderId: refund.orderId, refundId: refund.refundId, workflowId: refund.workflowId, start }, r);
}

/** The same for a payout (an order of a payout trade type) whose start was escalated. */
export async function retryPayoutStart(env: StartRetryEnv, order: OrderRecord, r: { reason: string; actor: string }): Promise<StartRetryOutcome> {
  if (!(await findPayout(env.pool, order.orderId))) throw new SupportError('conflict', `order ${order.orderId} is not a payout (a refund's start is retried with POST /support/v1/refunds/{refundId}/retry-start)`);
  const item: StartItem = { kind: 'payout', orderId: order.orderId };
  await escalationOf(env, item, `payout ${order.orderId}`, `it is ${order.payStatus}`);
  const start = await startNow(order.workflowId, () => startPayoutWorkflow(env, order));
  return takeOutOfQueue(env, item, { orderId: order.orderId, refundId: null, workflowId: order.workflowId, start }, r);
}

async function escalationOf(env: StartRetryEnv, item: StartItem, what: string, state: string): Promise<void> {
  if (!(await findStartEscalation(env.pool, item))) {
    throw new SupportError('conflict', `${what}: its start is not in the human queue (${state}); only a start the workers gave up on is retried`);
  }
}

async function startNow(workflowId: string, start: () => Promise<'started' | 'existed'>): Promise<'started' | 'existed'> {
  const what = `starting workflow ${workflowId}`;
  try {
    return await within(start(), START_RETRY_DEADLINE_MS, what);
  } catch (err) {
    if ((err as Error).message === `${what}: no answer within ${START_RETRY_DEADLINE_MS} ms`) {
      throw new SupportError('try_again', `Temporal did not take the start of ${workflowId} within ${START_RETRY_DEADLINE_MS} ms: nothing changed, send the same request again`);
    }
    throw new SupportError('conflict', `the workflow ${workflowId} could not be started: ${(err as Error).message}`.slice(0, 500));
  }
}

async function takeOutOfQueue(
  env: StartRetryEnv, item: StartItem, s: { orderId: string; refundId: string | null; workflowId: string; start: 'started' | 'existed' },
  r: { reason: string; actor: string },
): Promise<StartRetryOutcome> {
  const previousTries = await takeStartOutOfQueue(env.pool, item, s, { by: 'support', actor: r.actor, reason: r.reason });
  // A concurrent request (another operator, or the merchant's repeat of its request) took it out first: its workflow
  // is started either way, and this one changed nothing.
  if (previousTries === null) throw new SupportError('conflict', `${s.refundId ? `refund ${s.refundId}` : `payout ${s.orderId}`}: its start was retried by another request just now`);
  return { workflowId: s.workflowId, start: s.start, previousTries, actor: r.actor };
}
