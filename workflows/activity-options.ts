import { proxyActivities, proxyLocalActivities } from '@temporalio/workflow';
import type { OrderActivities } from '../activities';

/**
 * Retry policies and timeouts of the activities, by kind. All activities are idempotent; they return business
 * outcomes (declined, unknown, merchant said `fail`) as values, so retries here only cover infrastructure failures
 * (database down, worker lost) and retry until they succeed.
 *
 * Read-model writes and channel calls (create, query, close) run as local activities: they are short (the channel
 * adapters answer UNKNOWN after their own timeout), and running them in the worker that runs the workflow task saves
 * a server round trip each — most of the unified order's latency, and two of the three server tasks of every poll
 * of an open order. Notification delivery stays a regular activity (it waits up to 5 s on a merchant and is spread
 * over workers).
 */
const INFRA_RETRY = { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '30s' } as const;

/** Read-model writes: short; a local activity retries locally and, past localRetryThreshold, through a timer. */
export const DB_ACTIVITY = { startToCloseTimeout: '10s', localRetryThreshold: '10s', retry: INFRA_RETRY } as const;
/** Channel create: the adapter answers UNKNOWN itself well before this. */
export const CHANNEL_CREATE_ACTIVITY = { startToCloseTimeout: '30s', localRetryThreshold: '10s', retry: INFRA_RETRY } as const;
/** Channel query/close: the adapter turns a slow channel into UNKNOWN well before this. */
export const CHANNEL_ACTIVITY = { startToCloseTimeout: '30s', localRetryThreshold: '10s', retry: INFRA_RETRY } as const;
/** One notification attempt: 5 s for the merchant plus the bookkeeping. */
export const NOTIFY_ACTIVITY = { startToCloseTimeout: '30s', retry: INFRA_RETRY } as const;

export function orderActivities() {
  const db = proxyLocalActivities<OrderActivities>(DB_ACTIVITY);
  const create = proxyLocalActivities<OrderActivities>(CHANNEL_CREATE_ACTIVITY);
  const channel = proxyLocalActivities<OrderActivities>(CHANNEL_ACTIVITY);
  const notify = proxyActivities<OrderActivities>(NOTIFY_ACTIVITY);
  return {
    openOrder: db.openOrder,
    transition: db.transition,
    savePayAnswer: db.savePayAnswer,
    recordOrderEvent: db.recordOrderEvent,
    setNotifyState: db.setNotifyState,
    nextNotifyAttempt: db.nextNotifyAttempt,
    channelCreate: create.channelCreate,
    channelQuery: channel.channelQuery,
    channelClose: channel.channelClose,
    deliverNotification: notify.deliverNotification,
  };
}
export type OrderActs = ReturnType<typeof orderActivities>;
