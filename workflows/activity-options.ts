import { proxyActivities } from '@temporalio/workflow';
import type { OrderActivities } from '../activities';

/**
 * Retry policies and timeouts of the activities, by kind. All activities are idempotent; they return business
 * outcomes (declined, unknown, merchant said `fail`) as values, so retries here only cover infrastructure failures
 * (database down, worker lost) and retry until they succeed.
 */
const INFRA_RETRY = { initialInterval: '200ms', backoffCoefficient: 2, maximumInterval: '30s' } as const;

/** Read-model writes: short. */
export const DB_ACTIVITY = { startToCloseTimeout: '10s', retry: INFRA_RETRY } as const;
/** Channel calls: the adapter turns a slow channel into UNKNOWN well before this. */
export const CHANNEL_ACTIVITY = { startToCloseTimeout: '60s', retry: INFRA_RETRY } as const;
/** One notification attempt: 5 s for the merchant plus the bookkeeping. */
export const NOTIFY_ACTIVITY = { startToCloseTimeout: '30s', retry: INFRA_RETRY } as const;

export function orderActivities() {
  const db = proxyActivities<OrderActivities>(DB_ACTIVITY);
  const channel = proxyActivities<OrderActivities>(CHANNEL_ACTIVITY);
  const notify = proxyActivities<OrderActivities>(NOTIFY_ACTIVITY);
  return {
    openOrder: db.openOrder,
    transition: db.transition,
    savePayAnswer: db.savePayAnswer,
    recordOrderEvent: db.recordOrderEvent,
    setNotifyState: db.setNotifyState,
    nextNotifyAttempt: db.nextNotifyAttempt,
    channelCreate: channel.channelCreate,
    channelQuery: channel.channelQuery,
    channelClose: channel.channelClose,
    deliverNotification: notify.deliverNotification,
  };
}
export type OrderActs = ReturnType<typeof orderActivities>;
