import type { ActivityDeps } from './deps';
import { inTransaction } from '../db/pool';
import { insertOrder, recordEvent, savePayAnswer, setNotifyState, transitionOrder, type Transition } from '../db/orders';
import type { OrderDraft, PayAnswer } from '../domain/order';
import type { NotifyState } from '../domain/pay-status';

/** Read-model writes. Each is idempotent so that a retried or replayed activity changes nothing twice. */
export function createOrderRecordActivities({ pool, pollScheduleMs, metrics }: ActivityDeps) {
  return {
    async openOrder(a: { orderId: string; workflowId: string; requestHash: string; channel: string; draft: OrderDraft }): Promise<void> {
      const inserted = await inTransaction(pool, async (tx) => {
        const fresh = await insertOrder(tx, { ...a, firstPollDelayMs: pollScheduleMs[0] ?? 60_000 });
        await recordEvent(tx, { orderId: a.orderId, eventKey: 'created', type: 'created', toStatus: 'p0001', detail: { channel: a.channel } });
        return fresh;
      });
      if (inserted) metrics?.orderTransition({ from: 'none', to: 'p0001', channel: a.channel });
    },

    /** Applies a guarded status change and records it; `eventKey` names the change so a replay records it once. */
    async transition(a: Transition & { eventKey: string; eventType: string; detail?: Record<string, unknown> }): Promise<boolean> {
      const applied = await inTransaction(pool, async (tx) => {
        const left = await transitionOrder(tx, a);
        if (left) {
          await recordEvent(tx, {
            orderId: a.orderId, eventKey: a.eventKey, type: a.eventType, fromStatus: a.from.join('|'), toStatus: a.to,
            detail: a.detail ?? {},
          });
        }
        return left;
      });
      if (applied) metrics?.orderTransition({ from: applied.from, to: a.to, channel: applied.channel });
      return applied !== null;
    },

    async savePayAnswer(a: { orderId: string; answer: PayAnswer }): Promise<void> {
      await savePayAnswer(pool, a.orderId, a.answer);
    },

    async recordOrderEvent(a: { orderId: string; eventKey: string; type: string; detail?: Record<string, unknown> }): Promise<void> {
      await recordEvent(pool, a);
    },

    async setNotifyState(a: { orderId: string; state: NotifyState; attempts: number; nextAtMs: number | null }): Promise<void> {
      await setNotifyState(pool, a.orderId, a);
    },
  };
}
