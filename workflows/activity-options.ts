import { ActivityFailure, ApplicationFailure, log, proxyActivities, proxyLocalActivities, sleep, upsertSearchAttributes } from '@temporalio/workflow';
import type { OrderActivities } from '../activities';
import { SA } from './search-attributes';
import type { StallPolicy } from './definitions';

/**
 * Retry policies and timeouts of the activities, by kind. All activities are idempotent; they return business
 * outcomes (declined, unknown, merchant said `fail`) as values, so retries here only cover infrastructure failures
 * (database down, worker lost).
 *
 * Every retry is bounded: an activity gives up after MAX_ATTEMPTS (about a quarter of an hour of backoff). The
 * workflow then escalates instead of failing the order — the `Attention` search attribute names the stalled step
 * (an operator's alert filters `Attention STARTS_WITH "stalled"`), the worker logs it, and the step is tried again
 * after STALL_RETRY_MS; the attribute is cleared once it goes through. A non-retryable failure (a broken order
 * identity) is not retried at all: it fails the workflow loudly.
 *
 * Read-model writes and channel calls (create, query, close) run as local activities: they are short (the channel
 * adapters answer UNKNOWN after their own timeout), and running them in the worker that runs the workflow task saves
 * a server round trip each. So does the first attempt of a notification: it is made in the same workflow task that
 * settled the order (the merchant usually answers at once). Retries of a notification are regular activities (each
 * may wait up to 5 s on a merchant, and they are spread over workers).
 */
const MAX_ATTEMPTS = 40;
const INFRA_RETRY = { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '30s', maximumAttempts: MAX_ATTEMPTS } as const;
/** After an activity has used up its attempts: wait this long, then try the step again (escalated meanwhile). */
export const STALL_RETRY_MS = 5 * 60_000;
export const DEFAULT_STALL_POLICY: StallPolicy = { maxAttempts: MAX_ATTEMPTS, retryAfterMs: STALL_RETRY_MS };

/** Read-model writes: short; a local activity retries locally and, past localRetryThreshold, through a timer. */
export const DB_ACTIVITY = { startToCloseTimeout: '10s', localRetryThreshold: '10s', retry: INFRA_RETRY } as const;
/** Channel create: the adapter answers UNKNOWN itself well before this. */
export const CHANNEL_CREATE_ACTIVITY = { startToCloseTimeout: '30s', localRetryThreshold: '10s', retry: INFRA_RETRY } as const;
/** Channel query/close: the adapter turns a slow channel into UNKNOWN well before this. */
export const CHANNEL_ACTIVITY = { startToCloseTimeout: '30s', localRetryThreshold: '10s', retry: INFRA_RETRY } as const;
/**
 * One notification attempt: 5 s for the merchant plus the bookkeeping. It heartbeats (activities/heartbeat.ts), so a
 * worker killed mid-attempt is noticed after the heartbeat timeout and the attempt retried on another worker, instead
 * of after the whole start-to-close bound.
 */
export const NOTIFY_ACTIVITY = { startToCloseTimeout: '30s', heartbeatTimeout: '15s', retry: INFRA_RETRY } as const;
/** The first notification attempt, in the worker that settled the order (a local activity). */
export const FIRST_NOTIFY_ACTIVITY = { startToCloseTimeout: '30s', localRetryThreshold: '10s', retry: INFRA_RETRY } as const;

/**
 * An activity that used up its attempts: a regular activity fails with ActivityFailure (its cause the last error); a
 * local activity fails with that error itself. A non-retryable ApplicationFailure (a broken order identity) is not
 * a stall: it fails the workflow.
 */
function stalledFailure(err: unknown): boolean {
  const cause = err instanceof ActivityFailure ? err.cause : err;
  if (cause instanceof ApplicationFailure && cause.nonRetryable) return false;
  return err instanceof ActivityFailure || err instanceof ApplicationFailure;
}

/** Runs one step; when its activity runs out of attempts, escalates (search attribute + log) and tries it again later. */
function escalatingStep<A extends unknown[], R>(step: string, fn: (...args: A) => Promise<R>, retryAfterMs: number): (...args: A) => Promise<R> {
  return async (...args: A) => {
    for (let stalled = false; ;) {
      try {
        const result = await fn(...args);
        if (stalled) upsertSearchAttributes([{ key: SA.attention, value: null }]);
        return result;
      } catch (err) {
        if (!stalledFailure(err)) throw err;
        const error = err as Error & { cause?: Error };
        log.error('order step stalled: activity out of attempts; retrying later', { step, error: error.cause?.message ?? error.message });
        if (!stalled) upsertSearchAttributes([{ key: SA.attention, value: `stalled:${step}` }]);
        stalled = true;
        await sleep(retryAfterMs);
      }
    }
  };
}

/** The order activities, each bounded by `stall` (tests pass millisecond-scale policies through the workflow input). */
export function orderActivities(stall: StallPolicy = DEFAULT_STALL_POLICY) {
  const bounded = <T extends { retry: typeof INFRA_RETRY }>(o: T) => ({ ...o, retry: { ...o.retry, maximumAttempts: stall.maxAttempts } });
  const db = proxyLocalActivities<OrderActivities>(bounded(DB_ACTIVITY));
  const create = proxyLocalActivities<OrderActivities>(bounded(CHANNEL_CREATE_ACTIVITY));
  const channel = proxyLocalActivities<OrderActivities>(bounded(CHANNEL_ACTIVITY));
  const notify = proxyActivities<OrderActivities>(bounded(NOTIFY_ACTIVITY));
  const firstNotify = proxyLocalActivities<OrderActivities>(bounded(FIRST_NOTIFY_ACTIVITY));
  const escalating = <A extends unknown[], R>(step: string, fn: (...args: A) => Promise<R>) => escalatingStep(step, fn, stall.retryAfterMs);
  return {
    openOrder: escalating('openOrder', db.openOrder),
    transition: escalating('transition', db.transition),
    savePayAnswer: escalating('savePayAnswer', db.savePayAnswer),
    recordOrderEvent: escalating('recordOrderEvent', db.recordOrderEvent),
    setNotifyState: escalating('setNotifyState', db.setNotifyState),
    openReview: escalating('openReview', db.openReview),
    resolveReview: escalating('resolveReview', db.resolveReview),
    switchChannel: escalating('switchChannel', db.switchChannel),
    nextNotifyAttempt: escalating('nextNotifyAttempt', db.nextNotifyAttempt),
    channelCreate: escalating('channelCreate', create.channelCreate),
    openAndCreate: escalating('openAndCreate', create.openAndCreate),
    channelQuery: escalating('channelQuery', channel.channelQuery),
    channelClose: escalating('channelClose', channel.channelClose),
    deliverNotification: escalating('deliverNotification', notify.deliverNotification),
    deliverFirstNotification: escalating('deliverNotification', firstNotify.deliverNotification),
  };
}
export type OrderActs = ReturnType<typeof orderActivities>;

/**
 * The refund request itself: one attempt, never retried by Temporal. A lost or failed attempt (a worker killed while
 * it ran, a timeout) is an unknown result, settled by refund queries with the same refundId — so the channel is asked
 * to refund once by this workflow, and deduplicates by refundId anyway.
 */
export const CHANNEL_REFUND_ACTIVITY = { startToCloseTimeout: '60s', retry: { maximumAttempts: 1 } } as const;

/** The refund workflow's activities: the order's (notification delivery, channel calls) plus its own. */
export function refundActivities(stall: StallPolicy = DEFAULT_STALL_POLICY) {
  const bounded = <T extends { retry: typeof INFRA_RETRY }>(o: T) => ({ ...o, retry: { ...o.retry, maximumAttempts: stall.maxAttempts } });
  const db = proxyLocalActivities<OrderActivities>(bounded(DB_ACTIVITY));
  const channel = proxyLocalActivities<OrderActivities>(bounded(CHANNEL_ACTIVITY));
  const once = proxyActivities<OrderActivities>(CHANNEL_REFUND_ACTIVITY);
  const escalating = <A extends unknown[], R>(step: string, fn: (...args: A) => Promise<R>) => escalatingStep(step, fn, stall.retryAfterMs);
  return {
    ...orderActivities(stall),
    refundTransition: escalating('refundTransition', db.refundTransition),
    openRefundReview: escalating('openRefundReview', db.openRefundReview),
    setRefundNotifyState: escalating('setRefundNotifyState', db.setRefundNotifyState),
    channelRefundQuery: escalating('channelRefundQuery', channel.channelRefundQuery),
    channelRefundOnce: once.channelRefund,
  };
}
export type RefundActs = ReturnType<typeof refundActivities>;

/**
 * The transfer request of a payout: one attempt, never retried by Temporal (like a refund's). A lost attempt (a worker
 * killed while it ran, a timeout) is an unknown result, settled by transfer queries with the same out_biz_no — so the
 * channel is asked to pay out once by this workflow, and deduplicates by out_biz_no anyway. Its timeout is an input
 * (PAYOUT_TRANSFER_TIMEOUT): how long a lost attempt takes to be noticed.
 */
export const channelTransferActivity = (startToCloseMs: number) => ({ startToCloseTimeout: startToCloseMs, retry: { maximumAttempts: 1 } }) as const;

/** The payout workflow's activities: the order's (notification delivery, reviews) plus its own. */
export function payoutActivities(transferTimeoutMs: number, stall: StallPolicy = DEFAULT_STALL_POLICY) {
  const bounded = <T extends { retry: typeof INFRA_RETRY }>(o: T) => ({ ...o, retry: { ...o.retry, maximumAttempts: stall.maxAttempts } });
  const db = proxyLocalActivities<OrderActivities>(bounded(DB_ACTIVITY));
  const channel = proxyLocalActivities<OrderActivities>(bounded(CHANNEL_ACTIVITY));
  const once = proxyActivities<OrderActivities>(channelTransferActivity(transferTimeoutMs));
  const escalating = <A extends unknown[], R>(step: string, fn: (...args: A) => Promise<R>) => escalatingStep(step, fn, stall.retryAfterMs);
  return {
    ...orderActivities(stall),
    payoutTransition: escalating('payoutTransition', db.payoutTransition),
    recordPayoutApproval: escalating('recordPayoutApproval', db.recordPayoutApproval),
    channelTransferQuery: escalating('channelTransferQuery', channel.channelTransferQuery),
    channelTransferOnce: once.channelTransfer,
  };
}
export type PayoutActs = ReturnType<typeof payoutActivities>;
