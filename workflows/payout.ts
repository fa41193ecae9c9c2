import { condition, log, setHandler, workflowInfo } from '@temporalio/workflow';
import {
  closeOrderUpdate, notifyControlSignal, orderStateQuery, payoutApprovalUpdate, resolveReviewUpdate,
  type CloseAnswer, type PayoutApproval, type PayoutWorkflowInput, type ReviewResolution,
} from './definitions';
import { payoutActivities } from './activity-options';
import { applyControl, deliverUntilAcknowledged, setState } from './notify-loop';
import { SA } from './search-attributes';
import { searchAttributeWriter } from './search-attribute-writer';
import type { ChannelTransferStatus } from '../domain/channels';
import type { OrderStateView } from '../domain/order';
import { nextTransition, STATUS_NAMES, type OrderEvent } from '../domain/order-transitions';
import { isFinalStatus, NotifyState, PayStatus } from '../domain/pay-status';
import { formatCompactTime } from '../domain/time';

/** A channel answer that settles the transfer: made, refused, or a channel that makes no payouts. */
const settles = (r: ChannelTransferStatus) => r.status === 'SUCCESS' || r.status === 'UNSUPPORTED' || (r.status === 'FAIL' && !r.notFound);

/**
 * One payout (tradeType 02/03; the order's workflow id `order:<mercNo>:<mercOrderNo>`), accepted by the API with its
 * order row written and its amount reserved on the merchant's daily limit:
 *   p0001 → [approval: waits for a support operator; rejected → p0004, the amount given back] → p0002 → the channel
 *   is asked ONCE to transfer, with out_biz_no = our orderId (deduplicated by the channel) → while the answer is not
 *   final (pending, unknown, a lost attempt, "no such transfer"), transfer queries with the same number along the
 *   query schedule (the last delay repeats); past escalateAfterMs the payout also goes to the human queue, where a
 *   person's decision (support resolve: paid / unpaid) settles it too → p0000, or p0004 (the amount given back to
 *   the day's limit) → the merchant's notification with the same payStatus codes, schedule and machinery as a payment.
 * A second transfer request is never sent: an unknown result is settled only by queries. Every status change is
 * looked up in the one transition table (domain/order-transitions.ts).
 */
export async function payoutWorkflow(input: PayoutWorkflowInput): Promise<OrderStateView> {
  const { timing, orderId } = input;
  const acts = payoutActivities(timing.transferTimeoutMs, timing.stall);
  const sa = searchAttributeWriter(true);
  const workflowId = workflowInfo().workflowId;
  const state: OrderStateView = {
    orderId, mercNo: input.mercNo, mercOrderNo: input.mercOrderNo, payStatus: PayStatus.SUBMITTED, channel: input.channel,
    latePayment: false, notify: { state: NotifyState.NONE, attempts: 0, paused: false },
  };
  const replays = { requested: 0 };
  setHandler(orderStateQuery, () => state);
  setHandler(notifyControlSignal, (control) => {
    if (applyControl(state.notify, control, sa)) replays.requested++;
  });
  // A payout is not closed by the merchant: it is sent, or rejected by a person.
  setHandler(closeOrderUpdate, async (): Promise<CloseAnswer> => ({ kind: 'not-allowed', payStatus: state.payStatus }));

  let approval: PayoutApproval | undefined;
  let approvalApplied = false;
  setHandler(payoutApprovalUpdate, async (decision) => {
    approval = decision;
    await condition(() => approvalApplied);
    return { applied: true };
  }, {
    validator: (_decision: PayoutApproval) => {
      if (!input.approvalRequired || approval !== undefined) throw new Error('the payout is not waiting for approval');
    },
  });
  /** People's decisions on the payout while it waits in the human queue (the first one applies). */
  const resolutions: ReviewResolution[] = [];
  setHandler(resolveReviewUpdate, async (resolution) => {
    resolutions.push(resolution);
    await condition(() => isFinalStatus(state.payStatus));
    return { applied: true };
  }, {
    validator: (_resolution: ReviewResolution) => {
      if (!state.review || resolutions.length > 0) throw new Error('the payout is not waiting for a decision');
    },
  });

  /** Moves the payout as the table says for `event` (read model, audit and, when it ends failed, the limit given back). */
  async function move(event: OrderEvent, detail: Record<string, unknown>, extra: { tradeEndTime?: string; channelTransferNo?: string; failReason?: string; actor?: string } = {}) {
    const rule = nextTransition(state.payStatus, event);
    if (!rule) return;
    const tradeEndTime = isFinalStatus(rule.to) ? extra.tradeEndTime ?? formatCompactTime(Date.now()) : undefined;
    const outcome = await acts.payoutTransition({
      orderId, from: [state.payStatus], to: rule.to, amountFen: input.amountFen, eventKey: STATUS_NAMES[rule.to], eventType: rule.audit, detail,
      ...(tradeEndTime ? { tradeEndTime } : {}), ...(extra.channelTransferNo ? { channelTransferNo: extra.channelTransferNo } : {}),
      ...(extra.failReason ? { failReason: extra.failReason } : {}), ...(extra.actor ? { actor: extra.actor } : {}),
    });
    // An earlier attempt of this task decided otherwise and wrote it: the read model is what the merchant has seen.
    const status = outcome.applied ? rule.to : outcome.payStatus;
    if (outcome.tradeEndTime ?? tradeEndTime) state.tradeEndTime = (outcome.tradeEndTime ?? tradeEndTime)!;
    state.payStatus = status;
    sa.set({ key: SA.payStatus, value: status });
  }

  // 1. Approval, when the merchant's payouts need one: nothing is sent before a support operator approves.
  if (input.approvalRequired) {
    sa.set({ key: SA.attention, value: 'payout:approval' });
    sa.flush();
    await condition(() => approval !== undefined);
    const decided = approval!;
    await acts.recordPayoutApproval({ orderId, decision: decided.decision, actor: decided.actor, reason: decided.reason });
    if (decided.decision === 'reject') {
      await move('payout_rejected', { reason: decided.reason }, { failReason: `rejected by ${decided.actor}: ${decided.reason}`, actor: decided.actor });
    }
    sa.set({ key: SA.attention, value: null });
    approvalApplied = true;
  }

  // 2. The transfer: asked once, then settled by queries (and, past the bound, by a person).
  if (!isFinalStatus(state.payStatus)) {
    await move('payout_sent', { channel: input.channel, outBizNo: orderId });
    const ref = { orderId, outBizNo: orderId, payee: { accountType: input.payee.accountType } };
    let result: ChannelTransferStatus;
    try {
      result = await acts.channelTransferOnce({
        channel: input.channel, req: { orderId, outBizNo: orderId, amountFen: input.amountFen, payee: input.payee, title: input.title },
      });
    } catch (err) {
      // The one attempt was lost (a worker died while it ran, or it timed out): unknown, settled by queries.
      result = { status: 'UNKNOWN', reason: `transfer attempt lost: ${(err as Error).message}` };
    }
    const since = Date.now();
    let decided: ReviewResolution | undefined;
    for (let attempt = 0; !settles(result); attempt++) {
      if (!state.review && Date.now() - since >= timing.escalateAfterMs) {
        const reason = `payout not settled by the channel for ${Math.round((Date.now() - since) / 1000)} s: ${'reason' in result ? result.reason : result.status}`;
        await acts.openReview({ orderId, workflowId, kind: 'unknown_result', reason, detail: { queries: attempt, payout: true } });
        state.review = { kind: 'unknown_result', reason };
        sa.set({ key: SA.attention, value: 'review:unknown_result' });
      }
      sa.flush();
      await condition(() => resolutions.length > 0, timing.queryScheduleMs[Math.min(attempt, timing.queryScheduleMs.length - 1)]!);
      decided = resolutions[0];
      if (decided) break;
      result = await acts.channelTransferQuery({ channel: input.channel, ref });
    }
    if (decided) {
      // A person checked with the channel (its portal, a statement) and decided; audited with the person as actor.
      await acts.resolveReview({ orderId, decision: decided.decision, reason: decided.reason, actor: decided.actor, round: 0, transition: null });
      if (decided.decision === 'paid') await move('resolved_paid', { reason: decided.reason }, { actor: decided.actor });
      else await move('resolved_not_transferred', { reason: decided.reason }, { failReason: `not transferred, decided by ${decided.actor}: ${decided.reason}`, actor: decided.actor });
    } else if (result.status === 'SUCCESS') {
      if (result.amountFen !== input.amountFen) log.warn('channel reports another transfer amount', { orderId, reported: result.amountFen, asked: input.amountFen });
      await move('channel_success', { channelAmountFen: result.amountFen }, {
        tradeEndTime: formatCompactTime(result.transferredAtMs), ...(result.channelTransferNo ? { channelTransferNo: result.channelTransferNo } : {}),
      });
    } else {
      const failReason = result.status === 'FAIL' || result.status === 'UNSUPPORTED' ? result.reason : 'refused';
      await move('channel_fail', { reason: failReason }, { failReason });
    }
    if (state.review) {
      delete state.review;
      sa.set({ key: SA.attention, value: null });
    }
  }

  // 3. The merchant's notification (final states only; a final payout never changes, so nothing supersedes it).
  if (state.payStatus === PayStatus.PAID || input.notifyStatuses.includes(state.payStatus)) {
    await deliverUntilAcknowledged(acts, {
      orderId, payStatus: state.payStatus, retryScheduleMs: timing.notifyRetryScheduleMs, progress: state.notify,
      superseded: () => false, replays, sa, firstAttemptLocal: true,
    });
  } else {
    setState(state.notify, sa, NotifyState.NONE);
  }
  sa.flush();
  return state;
}
