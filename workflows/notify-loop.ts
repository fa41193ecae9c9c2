import { condition, patched } from '@temporalio/workflow';
import type { OrderActs } from './activity-options';
import type { NotifyControl } from './definitions';
import { notifyIdOf, type OrderStateView } from '../domain/order';
import type { PayStatus } from '../domain/pay-status';
import { NotifyState } from '../domain/pay-status';
import { SA } from './search-attributes';
import { refundNotifyIdOf, type RefundStatus } from '../domain/refund-status';
import type { SearchAttributeWriter } from './search-attribute-writer';

export type NotifyOutcome = 'delivered' | 'exhausted' | 'superseded';

/**
 * patched() id: the loop waits for support's endpoint resume when the activity held a notification because its
 * merchant endpoint is paused (endpoint health). Histories from before it never contain a hold; it is called only
 * when a hold arrives, so orders that are never held carry no marker.
 */
export const ENDPOINT_HEALTH = 'endpoint-health';
export type NotifyProgress = OrderStateView['notify'];

/** Applies a support control to the notification's progress; returns true for "attempt now". */
export function applyControl(progress: NotifyProgress, control: NotifyControl, sa: SearchAttributeWriter): boolean {
  switch (control.action) {
    case 'pause':
      progress.paused = true;
      if (progress.state === NotifyState.PENDING) setState(progress, sa, NotifyState.PAUSED);
      return false;
    case 'resume':
      progress.paused = false;
      if (progress.state === NotifyState.PAUSED) setState(progress, sa, NotifyState.PENDING, progress.nextAttemptAtMs);
      return false;
    case 'redirect':
      progress.url = control.url;
      return false;
    case 'replay':
      return true;
    case 'endpoint-resume':
      progress.endpointResumes = (progress.endpointResumes ?? 0) + 1;
      return false;
  }
}

/**
 * Delivers one notification (one order in one final state) until the merchant answers `success` or the schedule is
 * exhausted: the first attempt at once, then one attempt after each delay. Attempts are strictly sequential, so two
 * never run at once. While waiting, a replay request triggers the next attempt at once; a paused notification makes
 * no attempt until resumed (then it attempts at once). `superseded()` is checked while waiting: when the order's state changes, the loop stops and
 * the caller notifies the newer state (the latest state wins; a stale one is never sent after it).
 * A notification whose merchant endpoint is paused (endpoint health, behind patched ENDPOINT_HEALTH) is held without
 * being sent until support resumes the endpoint (the `endpoint-resume` control); holding uses no attempt.
 * With `firstAttemptLocal`, the first attempt runs as a local activity in the task that settled the order (no
 * activity task, no extra workflow task when the merchant answers `success` at once).
 */
export async function deliverUntilAcknowledged(
  acts: OrderActs,
  p: {
    orderId: string;
    /** The status told of: the order's payStatus, or (with refundId) the refund's refundStatus. */
    payStatus: PayStatus | RefundStatus;
    /** A refund's notification (workflows/refund.ts): same schedule, same guarantees, its own notifyId. */
    refundId?: string;
    retryScheduleMs: number[];
    progress: NotifyProgress;
    superseded: () => boolean;
    /** Incremented by support's "replay now"; each increment triggers one immediate attempt. */
    replays: { requested: number };
    sa: SearchAttributeWriter;
    firstAttemptLocal: boolean;
  },
): Promise<NotifyOutcome> {
  const { sa } = p;
  const notifyId = p.refundId !== undefined ? refundNotifyIdOf(p.refundId, p.payStatus as RefundStatus) : notifyIdOf(p.orderId, p.payStatus as PayStatus);
  const progress = p.progress;
  progress.notifyId = notifyId;
  progress.attempts = 0;
  let replaysSeen = p.replays.requested;
  for (let attempt = 1; ; attempt++) {
    if (progress.paused) {
      setState(progress, sa, NotifyState.PAUSED);
      const paused = { state: NotifyState.PAUSED, attempts: progress.attempts, nextAtMs: null };
      if (p.refundId === undefined) await acts.setNotifyState({ orderId: p.orderId, payStatus: p.payStatus as PayStatus, ...paused });
      sa.flush();
      await condition(() => !progress.paused || p.superseded());
      replaysSeen = p.replays.requested;
    }
    if (p.superseded()) return 'superseded';
    const nextDelayMs = p.retryScheduleMs[attempt - 1] ?? null;
    const request = {
      orderId: p.orderId, notifyId, attempt, payStatus: p.payStatus, nextDelayMs, ...(progress.url ? { url: progress.url } : {}),
      // Only the order's own notification can be held by endpoint health (its resume signals order workflows).
      ...(p.refundId !== undefined ? { refundId: p.refundId } : { holdIfEndpointPaused: true }),
    };
    const local = attempt === 1 && p.firstAttemptLocal;
    if (!local) sa.flush(); // a regular activity ends the workflow task
    // Counted before asking: a resume that arrives while the activity runs still ends the hold it reports.
    const resumesBefore = progress.endpointResumes ?? 0;
    const result = await (local ? acts.deliverFirstNotification(request) : acts.deliverNotification(request));
    // The read model already holds a newer status: this notification is stale (the skip is recorded).
    if (result.skipped) return 'superseded';
    // patched() only here, where a hold arrives: orders never held carry no marker (and no change-version upsert).
    if (result.endpointPaused && patched(ENDPOINT_HEALTH)) {
      // Not sent and not an attempt: the endpoint is paused (the activity recorded the hold and the paused state).
      // Wait, without a timer, for support's endpoint resume; then this attempt is made at once. A newer state
      // ends the wait: the caller delivers that one (held in turn while the endpoint stays paused).
      progress.heldByEndpoint = true;
      setState(progress, sa, NotifyState.PAUSED);
      sa.flush();
      await condition(() => (progress.endpointResumes ?? 0) > resumesBefore || p.superseded());
      progress.heldByEndpoint = false;
      if (p.superseded()) return 'superseded';
      if (!progress.paused) setState(progress, sa, NotifyState.PENDING);
      replaysSeen = p.replays.requested;
      attempt--; // the same attempt number, asked again
      continue;
    }
    progress.attempts = attempt;
    setState(progress, sa, result.notifyState, nextDelayMs === null ? undefined : Date.now() + nextDelayMs);
    if (result.delivered) return 'delivered';
    if (nextDelayMs === null) return 'exhausted';
    sa.flush();
    await condition(() => p.superseded() || p.replays.requested > replaysSeen || progress.paused, nextDelayMs);
    replaysSeen = p.replays.requested;
    if (p.superseded()) return 'superseded';
  }
}

export function setState(progress: NotifyProgress, sa: SearchAttributeWriter, state: NotifyState, nextAttemptAtMs?: number): void {
  const changed = progress.state !== state;
  progress.state = state;
  if ((state === NotifyState.PENDING || state === NotifyState.PAUSED) && nextAttemptAtMs !== undefined) {
    progress.nextAttemptAtMs = nextAttemptAtMs;
  } else if (state !== NotifyState.PAUSED) {
    delete progress.nextAttemptAtMs;
  }
  if (changed) sa.set({ key: SA.notifyState, value: state });
}
