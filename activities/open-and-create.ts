import type { Logger } from '../config/logger';
import type { ChannelCreateResult, ChannelName, ChannelOrderRequest } from '../domain/channels';
import type { OrderDraft, PayCredential, PayResponseData } from '../domain/order';
import type { TransitionArgs, TransitionOutcome } from './order-records';

/** The first steps of a unified order, in the order the workflow used to run them as three activities. */
export interface OpenAndCreateArgs {
  /** openOrder's input: the read-model row (p0001) and its `created` event. */
  open: { orderId: string; workflowId: string; requestHash: string; channel: ChannelName; draft: OrderDraft };
  /** channelCreate's input. */
  create: { channel: ChannelName; order: ChannelOrderRequest };
  /**
   * The transition the workflow makes when the channel answers CREATED (decided by the workflow from its transition
   * table), without what only the answer holds: the channel's order number and the pay credential, which this
   * activity adds to `data` to make the stored pay answer.
   */
  onCreated: Omit<TransitionArgs, 'channelOrderNo' | 'payAnswer'> & { data: Omit<PayResponseData, keyof PayCredential> };
}

export interface OpenAndCreateResult {
  created: ChannelCreateResult;
  /** The CREATED transition as written; null when the channel answered otherwise or the write did not go through. */
  outcome: TransitionOutcome | null;
}

interface Steps {
  openOrder(a: OpenAndCreateArgs['open']): Promise<void>;
  channelCreate(a: OpenAndCreateArgs['create']): Promise<ChannelCreateResult>;
  transition(a: TransitionArgs): Promise<TransitionOutcome>;
}

/**
 * One local activity for the unified order's first workflow task (issue 13: fewer activations per order): the order's
 * row, the channel's create and, when the channel created it, the p0002 transition with the pay answer. The steps and
 * their idempotency are those of the three activities it replaces; a failure before the channel is asked fails the
 * activity (retried whole: openOrder finds its own row). Once the channel has answered, nothing makes it ask again:
 * a transition that fails is not retried here, the answer is returned with `outcome: null` and the workflow writes
 * the transition with its own activity (retried and escalated as always), so a database hiccup never sends a second
 * create to the channel.
 */
export function createOpenAndCreate(steps: Steps, log: Logger) {
  return {
    async openAndCreate(a: OpenAndCreateArgs): Promise<OpenAndCreateResult> {
      await steps.openOrder(a.open);
      const created = await steps.channelCreate(a.create);
      if (created.kind !== 'CREATED') return { created, outcome: null };
      const { data, ...transition } = a.onCreated;
      try {
        const outcome = await steps.transition({
          ...transition, channelOrderNo: created.channelOrderNo, payAnswer: { kind: 'ok', data: { ...data, ...created.credential } },
        });
        return { created, outcome };
      } catch (err) {
        log.warn({ orderId: a.open.orderId, err: (err as Error).message }, 'created at the channel; its transition is left to the workflow');
        return { created, outcome: null };
      }
    },
  };
}
