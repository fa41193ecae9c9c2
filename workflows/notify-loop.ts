import { condition, upsertSearchAttributes } from '@temporalio/workflow';
import type { OrderActs } from './activity-options';
import { notifyIdOf } from '../domain/order';
import type { PayStatus } from '../domain/pay-status';
import { NotifyState } from '../domain/pay-status';
import { SA } from './search-attributes';

export type NotifyOutcome = 'delivered' | 'exhausted' | 'superseded';

export interface NotifyProgress {
  state: NotifyState;
  notifyId?: string;
  attempts: number;
  nextAttemptAtMs?: number;
}

/**
 * Delivers one notification (one order in one final state) until the merchant answers `success` or the schedule is
 * exhausted: the first attempt at once, then one attempt after each delay. Attempts are strictly sequential, so two
 * never run at once. `superseded()` is checked while waiting: when the order's state changes, the loop stops and the
 * caller notifies the newer state (the latest state wins; a stale one is never sent after it).
 */
export async function deliverUntilAcknowledged(
  acts: OrderActs,
  p: {
    orderId: string;
    payStatus: PayStatus;
    retryScheduleMs: number[];
    progress: NotifyProgress;
    superseded: () => boolean;
  },
): Promise<NotifyOutcome> {
  const notifyId = notifyIdOf(p.orderId, p.payStatus);
  p.progress.notifyId = notifyId;
  p.progress.attempts = 0;
  for (let attempt = 1; ; attempt++) {
    const nextDelayMs = p.retryScheduleMs[attempt - 1] ?? null;
    const result = await acts.deliverNotification({ orderId: p.orderId, notifyId, attempt, payStatus: p.payStatus, nextDelayMs });
    p.progress.attempts = attempt;
    setState(p.progress, result.notifyState, nextDelayMs === null ? undefined : Date.now() + nextDelayMs);
    if (result.delivered) return 'delivered';
    if (nextDelayMs === null) return 'exhausted';
    if (await condition(p.superseded, nextDelayMs)) return 'superseded';
  }
}

export function setState(progress: NotifyProgress, state: NotifyState, nextAttemptAtMs?: number): void {
  const changed = progress.state !== state;
  progress.state = state;
  if (state === NotifyState.PENDING && nextAttemptAtMs !== undefined) progress.nextAttemptAtMs = nextAttemptAtMs;
  else delete progress.nextAttemptAtMs;
  if (changed) upsertSearchAttributes([{ key: SA.notifyState, value: state }]);
}
