import { condition, log, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  notifyControlSignal, refundCheckSignal, refundStateQuery, resolveRefundUpdate, type RefundResolution, type RefundStateView, type RefundWorkflowInput,
} from './definitions';
import { refundActivities } from './activity-options';
import { applyControl, deliverUntilAcknowledged } from './notify-loop';
import { searchAttributeWriter } from './search-attribute-writer';
import type { ChannelRefundStatus } from '../domain/channels';
import { NotifyState } from '../domain/pay-status';
import { isFinalRefundStatus, RefundStatus } from '../domain/refund-status';
import { formatCompactTime } from '../domain/time';

/** A channel answer that settles the refund: refunded, refused, or a channel that has no refunds. */
const settles = (r: ChannelRefundStatus) => r.status === 'SUCCESS' || r.status === 'UNSUPPORTED' || (r.status === 'FAIL' && !r.notFound);

/**
 * One refund (id `refund:<mercNo>:<mercRefundNo>`), accepted by the API with its amount held against the order's
 * refundable balance:
 *   r0001 → r0002 → the channel is asked ONCE, with our refundId as its refund request number (deduplicated by the
 *   channel) → while the answer is not final (pending, unknown, a lost attempt, "no such refund"), refund queries with
 *   the same number, along the query schedule (the last delay repeats); past escalateAfterMs the refund also goes to
 *   the human queue, where a person's decision (support resolve: refunded / not_refunded) settles it too → r0000 (the amount counts as refunded) or r0003 (the hold is released) → the merchant's refund
 *   notification, on the payment notifications' schedule and machinery (X-Notify-Id, replay, pause, redirect).
 * A second refund request is never sent: an unknown result is settled only by queries.
 */
export async function refundWorkflow(input: RefundWorkflowInput): Promise<RefundStateView> {
  const { timing, refundId, orderId } = input;
  const acts = refundActivities(timing.stall);
  const sa = searchAttributeWriter(true);
  const workflowId = workflowInfo().workflowId;
  const state: RefundStateView = {
    refundId, orderId, refundStatus: RefundStatus.SUBMITTED, notify: { state: NotifyState.NONE, attempts: 0, paused: false },
  };
  const replays = { requested: 0 };
  /** Channel callbacks about this refund (refundCheckSignal): each one asks the channel at once. */
  let checks = 0;
  setHandler(refundCheckSignal, () => void checks++);
  setHandler(refundStateQuery, () => state);
  setHandler(notifyControlSignal, (control) => {
    if (applyControl(state.notify, control, sa)) replays.requested++;
  });
  /** People's decisions on the refund while it waits in the human queue (the first one applies). */
  const resolutions: RefundResolution[] = [];
  setHandler(resolveRefundUpdate, async (resolution) => {
    resolutions.push(resolution);
    await condition(() => isFinalRefundStatus(state.refundStatus));
    return { applied: true };
  }, {
    validator: (_resolution: RefundResolution) => {
      if (!state.review || resolutions.length > 0) throw new Error('the refund is not waiting for a decision');
    },
  });

  const ref = { orderId, refundId, ...(input.channelOrderNo ? { channelOrderNo: input.channelOrderNo } : {}) };
  state.refundStatus = await acts.refundTransition({ refundId, to: RefundStatus.PROCESSING });

  if (!isFinalRefundStatus(state.refundStatus)) {
    let result: ChannelRefundStatus;
    try {
      result = await acts.channelRefundOnce({ channel: input.channel, req: { ...ref, amountFen: input.amountFen, ...(input.reason ? { reason: input.reason } : {}) } });
    } catch (err) {
      // The one attempt was lost (a worker died while it ran, or it timed out): unknown, settled by queries.
      result = { status: 'UNKNOWN', reason: `refund attempt lost: ${(err as Error).message}` };
    }
    const since = Date.now();
    let decided: RefundResolution | undefined;
    for (let attempt = 0; !settles(result); attempt++) {
      if (!state.review && Date.now() - since >= timing.escalateAfterMs) {
        const reason = `refund not settled by the channel for ${Math.round((Date.now() - since) / 1000)} s: ${'reason' in result ? result.reason : result.status}`;
        await acts.openRefundReview({ orderId, refundId, workflowId, reason, detail: { queries: attempt } });
        state.review = { reason };
      }
      sa.flush();
      const checksSeen = checks;
      await condition(() => resolutions.length > 0 || checks > checksSeen, timing.queryScheduleMs[Math.min(attempt, timing.queryScheduleMs.length - 1)]!);
      decided = resolutions[0];
      if (decided) break;
      result = await acts.channelRefundQuery({ channel: input.channel, ref });
    }
    if (decided) {
      // A person checked with the channel (its portal, a statement) and decided; audited with the person as actor.
      const decidedBy = { actor: decided.actor, decision: decided.decision, reason: decided.reason };
      state.refundStatus = decided.decision === 'refunded'
        ? await acts.refundTransition({ refundId, to: RefundStatus.SUCCESS, refundEndTime: formatCompactTime(Date.now()), decidedBy })
        : await acts.refundTransition({ refundId, to: RefundStatus.FAILED, failReason: `not refunded, decided by ${decided.actor}: ${decided.reason}`, decidedBy });
    } else if (result.status === 'SUCCESS') {
      if (result.amountFen !== input.amountFen) log.warn('channel reports another refund amount', { refundId, reported: result.amountFen, asked: input.amountFen });
      state.refundStatus = await acts.refundTransition({
        refundId, to: RefundStatus.SUCCESS, refundEndTime: formatCompactTime(result.refundedAtMs),
        ...(result.channelRefundNo ? { channelRefundNo: result.channelRefundNo } : {}),
        ...(result.amountFen !== input.amountFen ? { detail: { channelAmountFen: result.amountFen } } : {}),
      });
    } else {
      const failReason = result.status === 'FAIL' || result.status === 'UNSUPPORTED' ? result.reason : 'refused';
      state.refundStatus = await acts.refundTransition({ refundId, to: RefundStatus.FAILED, failReason });
    }
    delete state.review;
  }

  // The merchant's refund notification (final states only; a final refund never changes, so nothing supersedes it).
  await deliverUntilAcknowledged(acts, {
    orderId, refundId, payStatus: state.refundStatus, retryScheduleMs: timing.notifyRetryScheduleMs, progress: state.notify,
    superseded: () => false, replays, sa, firstAttemptLocal: true,
  });
  sa.flush();
  return state;
}
