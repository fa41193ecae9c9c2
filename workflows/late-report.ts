import { setHandler, upsertSearchAttributes } from '@temporalio/workflow';
import { notifyControlSignal, type LateReportInput } from './definitions';
import { orderActivities } from './activity-options';
import { applyControl, deliverUntilAcknowledged, type NotifyProgress } from './notify-loop';
import { SA } from './search-attributes';
import { NotifyState, PayStatus } from '../domain/pay-status';
import { formatCompactTime } from '../domain/time';

/**
 * A channel reports a payment after the order's workflow has closed (e.g. paid after expiry). Money was taken, so the
 * order becomes p0000 (flagged as a late payment, with an audit event) and the merchant is notified of it.
 */
export async function lateReportWorkflow(input: LateReportInput): Promise<{ applied: boolean }> {
  const acts = orderActivities();
  const progress: NotifyProgress = { state: NotifyState.NONE, attempts: 0, paused: false };
  const replays = { requested: 0 };
  // Support's controls (replay now, pause, resume, redirect) work here as in the order workflow.
  setHandler(notifyControlSignal, (control) => {
    if (applyControl(progress, control)) replays.requested++;
  });
  const { result } = input.report;
  if (result.status !== 'SUCCESS') return { applied: false };
  const applied = await acts.transition({
    orderId: input.orderId,
    from: [PayStatus.SUBMITTED, PayStatus.PAYING, PayStatus.FAILED, PayStatus.CANCELLED, PayStatus.EXPIRED],
    to: PayStatus.PAID,
    tradeEndTime: formatCompactTime(result.paidAtMs),
    latePayment: true,
    ...(result.bankType ? { bankType: result.bankType } : {}),
    eventKey: 'paid',
    eventType: 'late_payment',
    detail: { source: input.report.source, afterWorkflowClosed: true },
  });
  if (!applied) return { applied: false };
  upsertSearchAttributes([{ key: SA.orderId, value: input.orderId }, { key: SA.payStatus, value: PayStatus.PAID }]);
  await deliverUntilAcknowledged(acts, {
    orderId: input.orderId, payStatus: PayStatus.PAID, retryScheduleMs: input.notifyRetryScheduleMs, progress,
    superseded: () => false, replays,
  });
  return { applied: true };
}
