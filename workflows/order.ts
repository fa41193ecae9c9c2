import { condition, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import {
  channelReportSignal, closeOrderUpdate, createOrderUpdate, notifyControlSignal, orderStateQuery,
  type ChannelReport, type CloseAnswer, type OrderWorkflowInput,
} from './definitions';
import { orderActivities } from './activity-options';
import { applyControl, deliverUntilAcknowledged, setState } from './notify-loop';
import { SA } from './search-attributes';
import type { ChannelStatus } from '../channels/types';
import { formatFenAsYuan } from '../domain/money';
import type { OrderStateView, PayAnswer, PayResponseData } from '../domain/order';
import { isFinalStatus, NotifyState, PayStatus } from '../domain/pay-status';
import { formatCompactTime } from '../domain/time';

/**
 * One merchant order, from unified order to acknowledged notification:
 *   p0001 → channel create → p0002 → first of {channel callback, poll result, expiry} → final state →
 *   notification loop (latest state wins) → done.
 * Only this workflow (through activities) changes the order; the API reads the read model it writes.
 */
export async function orderWorkflow(input: OrderWorkflowInput): Promise<OrderStateView> {
  const { draft, timing } = input;
  const acts = orderActivities();
  const orderId = newOrderId();
  const workflowId = workflowInfo().workflowId;
  const state: OrderStateView = {
    orderId,
    mercNo: draft.mercNo,
    mercOrderNo: draft.mercOrderNo,
    payStatus: PayStatus.SUBMITTED,
    channel: input.channel,
    latePayment: false,
    notify: { state: NotifyState.NONE, attempts: 0, paused: false },
  };
  let answer: PayAnswer | undefined;
  const inbox: ChannelReport[] = [];
  const replays = { requested: 0 };
  /** Close requests waiting for the main loop; each gets the outcome of the close attempt that served it. */
  let closeRequests = 0;
  let lastClose: CloseAnswer | undefined;
  let closeRound = 0;

  setHandler(createOrderUpdate, async ({ requestHash }) => {
    if (requestHash !== input.requestHash) return { kind: 'conflict' };
    await condition(() => answer !== undefined);
    return answer!;
  });
  setHandler(channelReportSignal, (report) => {
    inbox.push(report);
  });
  setHandler(orderStateQuery, () => state);
  setHandler(notifyControlSignal, (control) => {
    if (applyControl(state.notify, control)) replays.requested++;
  });
  setHandler(closeOrderUpdate, async (): Promise<CloseAnswer> => {
    const status = state.payStatus;
    if (status === PayStatus.CANCELLED) return { kind: 'closed', payStatus: status };
    if (isFinalStatus(status)) return { kind: 'not-allowed', payStatus: status };
    const round = closeRound;
    closeRequests++;
    await condition(() => closeRound > round);
    return lastClose!;
  });
  upsertSearchAttributes([{ key: SA.orderId, value: orderId }, { key: SA.payStatus, value: state.payStatus }]);

  const ref = () => ({ orderId, ...(state.channelOrderNo ? { channelOrderNo: state.channelOrderNo } : {}) });

  /** Applies a channel result. SUCCESS always wins (money was taken); other results only move an open order. */
  async function apply(result: ChannelStatus, source: ChannelReport['source']): Promise<void> {
    const current = state.payStatus;
    if (result.status === 'SUCCESS') {
      if (current === PayStatus.PAID) return;
      const late = isFinalStatus(current);
      await finish(PayStatus.PAID, { key: 'paid', type: late ? 'late_payment' : 'paid', detail: { source, lateAfter: late ? current : undefined } }, {
        tradeEndTime: formatCompactTime(result.paidAtMs), latePayment: late, ...(result.bankType ? { bankType: result.bankType } : {}),
      });
      state.latePayment = late;
    } else if (result.status === 'FAIL' && !isFinalStatus(current)) {
      await finish(PayStatus.FAILED, { key: 'failed', type: 'failed', detail: { source, reason: result.reason } });
    }
  }

  /** Moves the order to a final state: the read model and its audit event first, then the workflow's own state. */
  async function finish(
    to: PayStatus,
    event: { key: string; type: string; detail?: Record<string, unknown> },
    extra: { tradeEndTime?: string; payAnswer?: PayAnswer; bankType?: string; latePayment?: boolean } = {},
  ): Promise<void> {
    const tradeEndTime = extra.tradeEndTime ?? formatCompactTime(Date.now());
    await acts.transition({
      orderId, from: [state.payStatus], to, ...extra, tradeEndTime, eventKey: event.key, eventType: event.type,
      detail: event.detail ?? {},
    });
    state.tradeEndTime = tradeEndTime;
    setStatus(to);
  }

  function setStatus(status: PayStatus): void {
    state.payStatus = status;
    upsertSearchAttributes([{ key: SA.payStatus, value: status }]);
  }

  /** At expiry the channel decides: paid after all, or closed and expired. */
  async function expire(): Promise<void> {
    const queried = await acts.channelQuery({ channel: input.channel, ref: ref() });
    if (queried.status === 'SUCCESS') return apply(queried, 'expiry');
    const closed = await acts.channelClose({ channel: input.channel, ref: ref() });
    if (closed.status === 'SUCCESS') return apply(closed, 'expiry');
    await finish(PayStatus.EXPIRED, { key: 'expired', type: 'expired', detail: { close: closed.status } });
  }

  /** Merchant close: the channel decides — closed (p0005), paid after all (p0000), or unknown (try again later). */
  async function close(): Promise<void> {
    closeRequests = 0;
    const result = await acts.channelClose({ channel: input.channel, ref: ref() });
    if (result.status === 'SUCCESS') {
      await apply(result, 'callback');
      lastClose = { kind: 'not-allowed', payStatus: state.payStatus };
    } else if (result.status === 'FAIL') {
      await finish(PayStatus.CANCELLED, { key: 'cancelled', type: 'cancelled', detail: { reason: result.reason } });
      lastClose = { kind: 'closed', payStatus: PayStatus.CANCELLED };
    } else {
      lastClose = { kind: 'unknown', payStatus: state.payStatus, reason: result.status === 'UNKNOWN' ? result.reason : 'still pending at the channel' };
    }
    closeRound++;
  }

  // 1. Create the order at the channel and answer the merchant.
  await acts.openOrder({ orderId, workflowId, requestHash: input.requestHash, channel: input.channel, draft });
  const created = await acts.channelCreate({
    channel: input.channel,
    order: {
      orderId, mercNo: draft.mercNo, amountFen: draft.amountFen, subject: draft.subject ?? draft.body ?? draft.mercOrderNo,
      paywayCode: draft.paywayCode, sceneCode: draft.sceneCode, termType: draft.termType, expireAtMs: draft.expireAtMs,
      ip: draft.ip, ...(draft.bankCode ? { bankCode: draft.bankCode } : {}), ...(draft.payType ? { payType: draft.payType } : {}),
    },
  });
  if (created.kind === 'CREATED') {
    state.channelOrderNo = created.channelOrderNo;
    const data: PayResponseData = {
      mercOrderNo: draft.mercOrderNo, tradeType: draft.tradeType, tradeAmt: formatFenAsYuan(draft.amountFen),
      tradeTime: draft.tradeTime, feeType: draft.feeType, termType: draft.termType, orderId, ...created.credential,
    };
    const ok: PayAnswer = { kind: 'ok', data };
    await acts.transition({
      orderId, from: [PayStatus.SUBMITTED], to: PayStatus.PAYING, channelOrderNo: created.channelOrderNo, payAnswer: ok,
      eventKey: 'paying', eventType: 'channel_created',
    });
    setStatus(PayStatus.PAYING);
    answer = ok;
  } else if (created.kind === 'UNKNOWN') {
    // The channel may or may not have the order: keep it open and let polling and callbacks resolve it.
    answer = { kind: 'error', respCode: '200001', respDesc: '渠道结果未知,请稍后查询订单: channel result unknown', orderId };
    await acts.savePayAnswer({ orderId, answer });
  } else {
    const respCode = created.kind === 'UNSUPPORTED' ? '200002' : '200001';
    const failed: PayAnswer = { kind: 'error', respCode, respDesc: created.reason, orderId };
    await finish(PayStatus.FAILED, { key: 'failed', type: 'channel_declined', detail: { reason: created.reason } }, { payAnswer: failed });
    answer = failed;
  }

  // 2. Wait for the outcome: the first of a channel report (a callback, or a poll result from the workers' poller —
  //    polling/poller.ts polls open orders with backoff outside the workflow), a close request, and expiry.
  while (!isFinalStatus(state.payStatus)) {
    const remaining = draft.expireAtMs - Date.now();
    if (remaining <= 0) {
      await expire();
      break;
    }
    if (await condition(() => inbox.length > 0 || closeRequests > 0, remaining)) {
      if (inbox.length > 0) {
        const report = inbox.shift()!;
        await apply(report.result, report.source);
      } else {
        await close();
      }
    }
  }

  if (closeRequests > 0) {
    closeRequests = 0;
    lastClose = state.payStatus === PayStatus.CANCELLED
      ? { kind: 'closed', payStatus: state.payStatus }
      : { kind: 'not-allowed', payStatus: state.payStatus };
    closeRound++;
  }

  // 3. Notify the merchant; a payment reported meanwhile (late payment) supersedes the pending notification.
  const paidReport = () => inbox.some((r) => r.result.status === 'SUCCESS');
  for (;;) {
    const status = state.payStatus;
    if (status === PayStatus.PAID || input.notifyStatuses.includes(status)) {
      await deliverUntilAcknowledged(acts, {
        orderId, payStatus: status, retryScheduleMs: timing.notifyRetryScheduleMs, progress: state.notify,
        superseded: () => state.payStatus !== PayStatus.PAID && paidReport(), replays,
      });
    } else {
      setState(state.notify, NotifyState.NONE);
    }
    const late = inbox.find((r) => r.result.status === 'SUCCESS');
    inbox.length = 0;
    if (!late || state.payStatus === PayStatus.PAID) break;
    await apply(late.result, late.source);
  }
  return state;
}

/** Platform order number: `yyyyMMddHHmmss` + 8 digits (22 characters, like the seed's example). Deterministic. */
function newOrderId(): string {
  const digits = Math.floor(Math.random() * 1e8).toString().padStart(8, '0');
  return `${formatCompactTime(Date.now())}${digits}`;
}
