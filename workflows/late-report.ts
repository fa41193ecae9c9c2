import { condition, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import { notifyControlSignal, resolveReviewUpdate, type LateReportInput, type ReviewResolution } from './definitions';
import { orderActivities } from './activity-options';
import { applyControl, deliverUntilAcknowledged, type NotifyProgress } from './notify-loop';
import { reviewResolution } from './review';
import { SA } from './search-attributes';
import { searchAttributeWriter } from './search-attribute-writer';
import { eventOfDecision, sourcesOf, STATUS_NAMES } from '../domain/order-transitions';
import { NotifyState, PayStatus } from '../domain/pay-status';
import { formatCompactTime } from '../domain/time';

/**
 * A channel reports a payment after the order's workflow has closed (e.g. paid after expiry). Money was taken, so the
 * order becomes p0000 (flagged as a late payment, with an audit event) and the merchant is notified of it — unless
 * the amount is not the order's: then the order goes to the human queue, and a person's decision settles it.
 * The statuses it may leave come from the transition table, like every other transition.
 */
export async function lateReportWorkflow(input: LateReportInput): Promise<{ applied: boolean }> {
  const acts = orderActivities();
  const progress: NotifyProgress = { state: NotifyState.NONE, attempts: 0, paused: false };
  const replays = { requested: 0 };
  const sa = searchAttributeWriter(false); // each change upserted at once, as its recorded histories have it
  // Support's controls (replay now, pause, resume, redirect) work here as in the order workflow.
  setHandler(notifyControlSignal, (control) => {
    if (applyControl(progress, control, sa)) replays.requested++;
  });
  const { result } = input.report;
  if (result.status !== 'SUCCESS') return { applied: false };

  let decided: ReviewResolution | undefined;
  if (input.amountFen !== undefined && result.amountFen !== input.amountFen) {
    let waiting = true;
    setHandler(resolveReviewUpdate, async (resolution) => {
      decided = resolution;
      await condition(() => !waiting);
      return { applied: true };
    }, {
      validator: (_r: ReviewResolution) => {
        if (decided) throw new Error('the order has been decided already');
      },
    });
    await acts.openReview({
      orderId: input.orderId, workflowId: workflowInfo().workflowId, kind: 'amount_mismatch',
      reason: `the channel reports ${result.amountFen} fen taken after the order closed, for an order of ${input.amountFen} fen`,
      detail: { source: input.report.source, reportedFen: result.amountFen, orderFen: input.amountFen, round: 0 },
    });
    upsertSearchAttributes([{ key: SA.attention, value: 'review:amount_mismatch' }]);
    await condition(() => decided !== undefined);
    const r = decided!;
    const { detail } = reviewResolution(r, { kind: 'amount_mismatch', reason: 'late payment of another amount' });
    const paid = eventOfDecision(r.decision) === 'resolved_paid';
    await acts.resolveReview({
      orderId: input.orderId, decision: r.decision, reason: r.reason, actor: r.actor, round: 0,
      transition: paid ? {
        orderId: input.orderId, from: sourcesOf('resolved_paid', PayStatus.PAID), to: PayStatus.PAID, latePayment: true,
        tradeEndTime: formatCompactTime(result.paidAtMs), eventKey: STATUS_NAMES[PayStatus.PAID], eventType: 'resolved_paid', detail,
      } : null,
    });
    waiting = false;
    upsertSearchAttributes([{ key: SA.attention, value: null }]);
    if (!paid) return { applied: false };
  } else {
    const outcome = await acts.transition({
      orderId: input.orderId,
      from: sourcesOf('channel_success', PayStatus.PAID),
      to: PayStatus.PAID,
      tradeEndTime: formatCompactTime(result.paidAtMs),
      latePayment: true,
      ...(result.bankType ? { bankType: result.bankType } : {}),
      // Its own key: a refused write whose event is there was this workflow's earlier attempt (notify); a p0000
      // written by the order workflow has the order workflow's key (already notified there).
      eventKey: `late-report:${STATUS_NAMES[PayStatus.PAID]}`,
      eventType: 'late_payment',
      detail: { source: input.report.source, afterWorkflowClosed: true },
    });
    // Histories recorded before the outcome object carry a boolean.
    if (!(typeof outcome === 'boolean' ? outcome : outcome.applied)) return { applied: false };
  }
  upsertSearchAttributes([{ key: SA.payStatus, value: PayStatus.PAID }]);
  await deliverUntilAcknowledged(acts, {
    orderId: input.orderId, payStatus: PayStatus.PAID, retryScheduleMs: input.notifyRetryScheduleMs, progress,
    superseded: () => false, replays, sa, firstAttemptLocal: false,
  });
  return { applied: true };
}
