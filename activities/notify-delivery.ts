import { withHeartbeat } from './heartbeat';
import type { ActivityDeps } from './deps';
import { findOrderById, recordEvent, setNotifyState } from '../db/orders';
import { findVerifyingKeys } from '../db/merchant-keys';
import { modeOf } from '../domain/mode';
import { findAcknowledgedAttempt, lastAttemptNumber, recordAttempt } from '../db/notify-attempts';
import { buildNotification, buildRefundNotification } from '../domain/notification';
import { findRefundById, setRefundNotifyState } from '../db/refunds';
import type { RefundStatus } from '../domain/refund-status';
import type { PayStatus } from '../domain/pay-status';
import { NotifyState } from '../domain/pay-status';
import { ALL_SIGN_TYPES, type SignType } from '../domain/signing';
import { emptyKeyring } from '../secrets/keyring';
import { postNotification } from './http-post';
import { holdIfEndpointPaused, recordEndpointOutcome } from '../db/notify-endpoints';

/** Endpoint health: a notify endpoint failing continuously this long is paused (NOTIFY_ENDPOINT_PAUSE_AFTER). */
export const DEFAULT_ENDPOINT_PAUSE_AFTER_MS = 72 * 3_600_000;

export interface DeliveryRequest {
  orderId: string;
  notifyId: string;
  attempt: number;
  /** The status the notification tells of: the order's payStatus, or the refund's refundStatus (with refundId). */
  payStatus: PayStatus | RefundStatus;
  /** A refund's notification (the refund workflow); absent for the order's payment notification. */
  refundId?: string;
  /** Delay before the next attempt if this one fails; null when this is the last scheduled attempt. */
  nextDelayMs: number | null;
  /** Optional redirect of the notification to another URL (support tools). */
  url?: string;
  /**
   * The caller can hold a notification (the order workflow's loop, patched ENDPOINT_HEALTH): while the merchant's
   * endpoint is paused, do not send; record the hold and answer `endpointPaused`. Support replays do not set it.
   */
  holdIfEndpointPaused?: boolean;
}

export interface DeliveryResult {
  delivered: boolean;
  /** Not sent: the order's status is no longer the one this notification tells of (the skip is recorded). */
  skipped?: boolean;
  /** Not sent: the merchant's notify endpoint is paused (endpoint health); the hold is recorded until support resumes it. */
  endpointPaused?: boolean;
  httpStatus: number | null;
  latencyMs: number;
  error: string | null;
  notifyState: NotifyState;
}

/**
 * One attempt to deliver the merchant notification: a signed JSON POST; delivered only when the answer is `success`
 * (trimmed) within the timeout. The merchant's key is read here, never carried through workflow history. The attempt
 * and the order's notification state are recorded before returning. An attempt already acknowledged is not sent again
 * (at-least-once stays: an attempt whose answer was not recorded before a crash is sent again).
 */
export function createNotifyActivities({
  pool, notifyTimeoutMs, notifyAllowPrivate = false, now = Date.now, keyring = emptyKeyring(), log, metrics,
  notifyEndpointPauseAfterMs = DEFAULT_ENDPOINT_PAUSE_AFTER_MS,
}: ActivityDeps) {
  /** The merchant's keys of one mode that verify now, oldest first (what a notification is signed with). */
  async function signingKeys(mercNo: string, livemode: boolean): Promise<string[]> {
    return (await findVerifyingKeys(pool, keyring, mercNo, now())).filter((k) => k.mode === modeOf(livemode)).map((k) => k.secret).reverse();
  }
  const signTypeOf = (s: string): SignType => ((ALL_SIGN_TYPES as readonly string[]).includes(s) ? (s as SignType) : 'MD5');

  /**
   * The part every notification shares: one signed POST with X-Notify-Id and X-Notify-Attempt, delivered only on the
   * answer `success`, the attempt recorded (on the order's trail) and the subject's notification state written.
   */
  async function attempt(
    req: DeliveryRequest,
    n: { url: string; body: Record<string, string>; headers: Record<string, string>; alreadyDelivered: boolean; status: string; mercNo: string },
    writeState: (s: { state: NotifyState; attempts: number; nextAtMs: number | null }) => Promise<unknown>,
  ): Promise<DeliveryResult> {
    // This very attempt already got its `success` (the activity runs again because its result was lost with a killed
    // worker or Temporal server): the merchant is not asked twice; the recorded outcome stands.
    const acknowledged = await findAcknowledgedAttempt(pool, req.notifyId, req.attempt);
    if (acknowledged) {
      await writeState({ state: NotifyState.DELIVERED, attempts: req.attempt, nextAtMs: null });
      return { delivered: true, httpStatus: acknowledged.httpStatus, latencyMs: acknowledged.latencyMs, error: null, notifyState: NotifyState.DELIVERED };
    }
    // Endpoint health: while the merchant's endpoint is paused, a notification whose caller can hold it is not sent.
    if (req.holdIfEndpointPaused && await holdIfEndpointPaused(pool, { orderId: req.orderId, mercNo: n.mercNo, url: n.url })) {
      await writeState({ state: NotifyState.PAUSED, attempts: req.attempt - 1, nextAtMs: null });
      return { delivered: false, endpointPaused: true, httpStatus: null, latencyMs: 0, error: 'endpoint paused', notifyState: NotifyState.PAUSED };
    }
    const startedAtMs = now();
    const answer = await postNotification(n.url, n.body, {
      timeoutMs: notifyTimeoutMs,
      headers: { ...n.headers, 'X-Notify-Id': req.notifyId, 'X-Notify-Attempt': String(req.attempt) },
      allowPrivate: notifyAllowPrivate,
    });
    const delivered = answer.ok && answer.body.trim() === 'success';
    // A failed replay of a notification the merchant already acknowledged leaves it delivered.
    const state: NotifyState = delivered || n.alreadyDelivered
      ? NotifyState.DELIVERED
      : req.nextDelayMs === null ? NotifyState.EXHAUSTED : NotifyState.PENDING;
    const error = delivered ? null : answer.error ?? (answer.ok ? 'answer was not "success"' : `HTTP ${answer.httpStatus}`);
    await recordAttempt(pool, {
      notifyId: req.notifyId, orderId: req.orderId, attempt: req.attempt, payStatus: n.status, url: n.url,
      startedAtMs, latencyMs: answer.latencyMs, httpStatus: answer.httpStatus, answerExcerpt: answer.body.slice(0, 200),
      outcome: delivered ? 'success' : 'failed', error,
    });
    await writeState({ state, attempts: req.attempt, nextAtMs: state === NotifyState.PENDING && req.nextDelayMs !== null ? now() + req.nextDelayMs : null });
    const health = await recordEndpointOutcome(pool, {
      mercNo: n.mercNo, url: n.url, ok: delivered, error, atMs: startedAtMs, pauseAfterMs: notifyEndpointPauseAfterMs,
    });
    if (health.pausedNow) {
      metrics?.endpointPaused?.();
      log.warn({ mercNo: n.mercNo, failingSince: new Date(health.failingSinceMs!).toISOString() },
        'notify endpoint paused: failing continuously past NOTIFY_ENDPOINT_PAUSE_AFTER; support resumes it');
    }
    return { delivered, httpStatus: answer.httpStatus, latencyMs: answer.latencyMs, error, notifyState: state };
  }

  /** A refund's notification (req.refundId): the refund in req.payStatus, which is a refundStatus here. */
  async function deliverRefund(req: DeliveryRequest & { refundId: string }): Promise<DeliveryResult> {
    const refund = await findRefundById(pool, req.refundId);
    const order = refund ? await findOrderById(pool, refund.orderId) : null;
    if (!refund || !order) throw new Error(`refund ${req.refundId} not in the read model`);
    const keys = await signingKeys(refund.mercNo, refund.livemode);
    const { body, headers } = buildRefundNotification({ ...refund, mercOrderNo: order.mercOrderNo }, req.payStatus as RefundStatus,
      { signType: signTypeOf(refund.signType), keys, nowMs: now() });
    return attempt(req, {
      url: req.url ?? refund.notifyUrl, body, headers, status: req.payStatus, mercNo: refund.mercNo,
      alreadyDelivered: refund.notifyState === NotifyState.DELIVERED && refund.refundStatus === req.payStatus,
    }, (s) => setRefundNotifyState(pool, req.refundId, { refundStatus: req.payStatus as RefundStatus, ...s }));
  }

  return {
    /** One attempt; heartbeating as a regular activity (a retry), so a worker killed mid-attempt is noticed soon. */
    async deliverNotification(req: DeliveryRequest): Promise<DeliveryResult> {
      return withHeartbeat(() => deliverOnce(req));
    },

    /** The attempt number a replayed notification gets: one past the last recorded attempt. */
    async nextNotifyAttempt(a: { notifyId: string }): Promise<number> {
      return (await lastAttemptNumber(pool, a.notifyId)) + 1;
    },
  };

  async function deliverOnce(req: DeliveryRequest): Promise<DeliveryResult> {
    if (req.refundId !== undefined) return deliverRefund(req as DeliveryRequest & { refundId: string });
    const order = await findOrderById(pool, req.orderId);
    if (!order) throw new Error(`order ${req.orderId} not in the read model`);
    if (order.payStatus !== req.payStatus) {
      // A newer state superseded this notification: never tell the merchant a stale status.
      await recordEvent(pool, {
        orderId: req.orderId, eventKey: `notify-skipped:${req.notifyId}:${req.attempt}`, type: 'notify_skipped',
        detail: { notifyId: req.notifyId, attempt: req.attempt, payStatus: req.payStatus, current: order.payStatus },
      });
      return { delivered: false, skipped: true, httpStatus: null, latencyMs: 0, error: 'superseded', notifyState: order.notifyState };
    }
    const keys = await signingKeys(order.mercNo, order.livemode);
    const { body, headers } = buildNotification(order, req.payStatus as PayStatus, { signType: signTypeOf(order.signType), keys, nowMs: now() });
    return attempt(req, {
      url: req.url ?? order.notifyUrl, body, headers, status: req.payStatus, mercNo: order.mercNo,
      alreadyDelivered: order.notifyState === NotifyState.DELIVERED && order.payStatus === req.payStatus,
    }, (s) => setNotifyState(pool, req.orderId, { payStatus: req.payStatus as PayStatus, ...s }));
  }
}
