import { ApplicationFailure } from '@temporalio/activity';
import type { ActivityDeps } from './deps';
import { inTransaction } from '../db/pool';
import { insertOrder, recordEvent, savePayAnswer, setNotifyState, statusAfterRefusal, switchOrderChannel, transitionOrder, type Transition } from '../db/orders';
import { closeReviews, openReview, type ReviewDecision, type ReviewKind } from '../db/order-reviews';
import type { ChannelName } from '../domain/channels';
import type { OrderDraft, PayAnswer } from '../domain/order';
import type { NotifyState, PayStatus } from '../domain/pay-status';

/** The failure type of a merchant order that already has another orderId: never retried, never papered over. */
export const IDENTITY_MISMATCH = 'OrderIdentityMismatch';

export type TransitionArgs = Transition & { eventKey: string; eventType: string; detail?: Record<string, unknown> };

/**
 * What a transition did. `applied`: written now, or by an earlier attempt of this same write. Otherwise the read
 * model holds another status — decided by an earlier attempt of the workflow task whose record was lost (the worker
 * died after the write) — and the workflow adopts it: the read model is what merchants have already seen.
 */
export interface TransitionOutcome {
  applied: boolean;
  payStatus: PayStatus;
  tradeEndTime: string | null;
  latePayment: boolean;
}

/** Read-model writes. Each is idempotent so that a retried or replayed activity changes nothing twice. */
export function createOrderRecordActivities({ pool, pollScheduleMs, metrics, channels, watchMarginMs = 600_000, log, now = Date.now }: ActivityDeps) {
  /** `actor`: the support operator whose decision this transition applies (none for the system's own). */
  async function applyTransition(tx: Parameters<Parameters<typeof inTransaction>[1]>[0], a: TransitionArgs, actor?: string) {
    const left = await transitionOrder(tx, a);
    if (left) {
      await recordEvent(tx, {
        orderId: a.orderId, eventKey: a.eventKey, type: a.eventType, fromStatus: left.from, toStatus: a.to, detail: a.detail ?? {},
        ...(actor ? { actor } : {}),
      });
    }
    return left;
  }

  return {
    /**
     * Inserts the order (p0001) and its `created` event. The orderId comes from the workflow's input, so a retried or
     * replayed activity finds its own row; a row for the same merchant order under ANOTHER orderId is a broken
     * identity and fails non-retryably (the workflow fails loudly instead of looping).
     */
    async openOrder(a: { orderId: string; workflowId: string; requestHash: string; channel: ChannelName; draft: OrderDraft }): Promise<void> {
      const channel = channels[a.channel];
      const watchUntilMs = channel ? channel.watchUntilMs({ createdAtMs: now(), expireAtMs: a.draft.expireAtMs }, watchMarginMs) : null;
      let stored: { orderId: string; inserted: boolean };
      try {
        stored = await inTransaction(pool, async (tx) => {
          const row = await insertOrder(tx, { ...a, firstPollDelayMs: pollScheduleMs[0] ?? 60_000, watchUntilMs });
          if (row.orderId === a.orderId) {
            await recordEvent(tx, { orderId: a.orderId, eventKey: 'created', type: 'created', toStatus: 'p0001', detail: { channel: a.channel } });
          }
          return row;
        });
      } catch (err) {
        if ((err as { code?: string }).code === '23505') {
          // The orderId itself is taken by another merchant order: ids carry 64 random bits, so this is a bug.
          log.error({ orderId: a.orderId, workflowId: a.workflowId }, 'orderId already belongs to another order');
          throw ApplicationFailure.create({ type: IDENTITY_MISMATCH, nonRetryable: true, message: `orderId ${a.orderId} already belongs to another order` });
        }
        throw err;
      }
      if (stored.orderId !== a.orderId) {
        log.error({ orderId: a.orderId, stored: stored.orderId, workflowId: a.workflowId }, 'merchant order already has another orderId');
        throw ApplicationFailure.create({
          type: IDENTITY_MISMATCH, nonRetryable: true,
          message: `merchant order ${a.draft.mercNo}/${a.draft.mercOrderNo} already has orderId ${stored.orderId}, not ${a.orderId}`,
        });
      }
      if (stored.inserted) metrics?.orderTransition({ from: 'none', to: 'p0001', channel: a.channel });
    },

    /** Applies a guarded status change and records it; `eventKey` names the change so a replay records it once. */
    async transition(a: TransitionArgs): Promise<TransitionOutcome> {
      const applied = await inTransaction(pool, (tx) => applyTransition(tx, a));
      if (applied) {
        metrics?.orderTransition({ from: applied.from, to: a.to, channel: applied.channel });
        return { applied: true, payStatus: a.to, tradeEndTime: a.tradeEndTime ?? null, latePayment: a.latePayment ?? false };
      }
      const now = await statusAfterRefusal(pool, a.orderId, a.eventKey);
      if (!now) throw new Error(`order ${a.orderId} has no read-model row`);
      const repeat = now.payStatus === a.to && now.eventRecorded;
      if (!repeat && now.payStatus === a.to) {
        // The status is there under another event's key: e.g. the post-close late report (its own key) finding the
        // payment the order workflow already recorded and notified. Expected, so not a warning.
        log.info({ orderId: a.orderId, status: a.to, eventKey: a.eventKey }, 'transition not applied: the read model already holds this status, set by another event');
      } else if (!repeat && !a.from.includes(now.payStatus)) {
        log.warn({ orderId: a.orderId, wanted: a.to, held: now.payStatus }, 'transition refused: the read model holds another status');
      }
      return { applied: repeat, payStatus: now.payStatus, tradeEndTime: now.tradeEndTime, latePayment: now.latePayment };
    },

    /**
     * Failover: the order leaves `from` (which refused its create, or whose circuit was open) for `to`. The read model
     * names the new channel (the poller and callbacks follow it; its post-close watch is the new channel's) and the
     * move is in the order's timeline (`channel_failover`). Idempotent: a repeat finds the order moved and its event
     * recorded.
     */
    async switchChannel(a: { orderId: string; from: ChannelName; to: ChannelName; result: string; reason: string }): Promise<void> {
      const moved = await inTransaction(pool, async (tx) => {
        const row = await switchOrderChannel(tx, { orderId: a.orderId, from: a.from, to: a.to, watchUntilMs: (created) => channels[a.to]?.watchUntilMs(created, watchMarginMs) ?? null });
        await recordEvent(tx, {
          orderId: a.orderId, eventKey: `failover:${a.from}:${a.to}`, type: 'channel_failover',
          detail: { from: a.from, to: a.to, result: a.result, reason: a.reason },
        });
        return row;
      });
      if (moved) metrics?.channelFailover?.({ from: a.from, to: a.to, result: a.result });
    },

    async savePayAnswer(a: { orderId: string; answer: PayAnswer }): Promise<void> {
      await savePayAnswer(pool, a.orderId, a.answer);
    },

    async recordOrderEvent(a: { orderId: string; eventKey: string; type: string; detail?: Record<string, unknown> }): Promise<void> {
      await recordEvent(pool, a);
    },

    async setNotifyState(a: { orderId: string; payStatus: PayStatus; state: NotifyState; attempts: number; nextAtMs: number | null }): Promise<void> {
      await setNotifyState(pool, a.orderId, a);
    },

    /** Puts the order in the human queue (once per order and kind) with an audit event. */
    async openReview(a: { orderId: string; workflowId: string; kind: ReviewKind; reason: string; detail?: Record<string, unknown> }): Promise<void> {
      await inTransaction(pool, async (tx) => {
        if (await openReview(tx, a)) {
          await recordEvent(tx, { orderId: a.orderId, eventKey: `review:${a.kind}:${a.detail?.round ?? 0}`, type: 'review_opened', detail: { kind: a.kind, reason: a.reason, ...a.detail } });
        }
      });
      metrics?.escalation?.(a.kind);
    },

    /**
     * Applies a person's decision: the order's transition (if the decision moves it), the review closed with the
     * decision, reason and actor, and an audit event naming the actor — one transaction. Both events carry the actor
     * (the authenticated support operator) in their actor column.
     */
    async resolveReview(a: {
      orderId: string; decision: ReviewDecision; reason: string; actor: string; transition: TransitionArgs | null; round: number;
    }): Promise<void> {
      await inTransaction(pool, async (tx) => {
        if (a.transition) await applyTransition(tx, { ...a.transition, detail: { ...a.transition.detail, actor: a.actor, reason: a.reason } }, a.actor);
        const closed = await closeReviews(tx, a);
        if (closed.length > 0 || a.transition) {
          await recordEvent(tx, {
            orderId: a.orderId, eventKey: `review-resolved:${a.round}`, type: 'review_resolved',
            detail: { decision: a.decision, reason: a.reason, actor: a.actor, kinds: closed.map((r) => r.kind) }, actor: a.actor,
          });
        }
      });
    },
  };
}
