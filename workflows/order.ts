import { condition, log, patched, setHandler, upsertSearchAttributes, workflowInfo } from '@temporalio/workflow';
import {
  channelReportSignal, closeOrderUpdate, createOrderUpdate, notifyControlSignal, orderStateQuery, resolveReviewUpdate,
  type ChannelReport, type CloseAnswer, type OrderWorkflowInput, type ReviewResolution,
} from './definitions';
import { orderActivities } from './activity-options';
import { applyControl, deliverUntilAcknowledged, setState } from './notify-loop';
import { reviewResolution } from './review';
import type { TransitionArgs, TransitionOutcome } from '../activities/order-records';
import { SA } from './search-attributes';
import { searchAttributeWriter } from './search-attribute-writer';
import type { ChannelCreateResult, ChannelName, ChannelOrderRequest, ChannelStatus } from '../domain/channels';
import { formatFenAsYuan } from '../domain/money';
import type { OrderStateView, PayAnswer, PayCredential, PayResponseData } from '../domain/order';
import { isClosable, nextTransition, STATUS_NAMES, type OrderEvent } from '../domain/order-transitions';
import { isFinalStatus, NotifyState, PayStatus } from '../domain/pay-status';
import { formatCompactTime } from '../domain/time';

/** Defaults for orders started without these timings. */
const DEFAULT_UNKNOWN_RETRY_MS = [5_000, 10_000, 30_000, 60_000, 120_000, 300_000];
const DEFAULT_ESCALATE_AFTER_MS = 3_600_000;

/**
 * One merchant order, from unified order to acknowledged notification:
 *   p0001 → channel create → p0002 → first of {channel callback, poll result, close, expiry} → final state →
 *   notification loop (latest state wins) → done.
 * Every status change is looked up in the one transition table (domain/order-transitions.ts). A channel result that
 * is unknown at expiry is asked again with backoff and, past a bound, sent to the human queue: never final by
 * default. A payment whose amount is not the order's goes to the human queue instead of p0000.
 * Only this workflow (through activities) changes the order; the API reads the read model it writes.
 */
/** patched() id: a pending close is handled before queued channel reports (orders started before it keep the old order). */
const CLOSE_BEFORE_REPORTS = 'close-before-reports';
/**
 * patched() id: fewer server round trips per order — the first notification attempt as a local activity, search
 * attributes batched to one upsert per workflow task, no upsert of what the start already set. Orders started
 * before it keep their recorded commands.
 */
const FEWER_ROUND_TRIPS = 'fewer-round-trips';
/**
 * patched() id: routing with failover — a create refused definitively (DECLINED, UNSUPPORTED) or not made because the
 * channel's circuit is open (UNAVAILABLE) moves the order to the next of `fallbackChannels`. Asked only when a move is
 * due, so orders that never fail over record no marker.
 */
const CHANNEL_FAILOVER = 'channel-failover';
/**
 * patched() id: the unified order's first task as one local activity (openAndCreate: the order's row, the channel's
 * create and the p0002 transition) instead of three — two activations fewer per order. Orders started before it keep
 * their three recorded activities.
 */
const ONE_CREATE_STEP = 'one-create-step';

export async function orderWorkflow(input: OrderWorkflowInput): Promise<OrderStateView> {
  const { draft, timing, orderId } = input;
  const lean = patched(FEWER_ROUND_TRIPS);
  const sa = searchAttributeWriter(lean);
  const acts = orderActivities(input.timing.stall);
  const workflowId = workflowInfo().workflowId;
  /** The channel that has (or is being given) the order: the input's until a failover moves it on. */
  let channel: ChannelName = input.channel;
  const fallbacks = [...(input.fallbackChannels ?? [])];
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
  /** People's decisions on the order while it waits in the human queue, applied in order. */
  const resolutions: ReviewResolution[] = [];
  let resolvedRounds = 0;

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
    if (applyControl(state.notify, control, sa)) replays.requested++;
  });
  setHandler(closeOrderUpdate, async (): Promise<CloseAnswer> => {
    const status = state.payStatus;
    if (status === PayStatus.CANCELLED) return { kind: 'closed', payStatus: status };
    if (!isClosable(status)) return { kind: 'not-allowed', payStatus: status };
    const round = closeRound;
    closeRequests++;
    await condition(() => closeRound > round);
    return lastClose!;
  });
  setHandler(resolveReviewUpdate, async (resolution) => {
    const round = resolvedRounds + resolutions.length;
    resolutions.push(resolution);
    await condition(() => resolvedRounds > round);
    return { applied: true };
  }, {
    validator: (_resolution: ReviewResolution) => {
      if (!state.review) throw new Error('the order is not waiting for a decision');
    },
  });
  // The start sets both; orders started before FEWER_ROUND_TRIPS recorded this redundant upsert and replay it.
  if (!lean) upsertSearchAttributes([{ key: SA.orderId, value: orderId }, { key: SA.payStatus, value: state.payStatus }]);

  const ref = () => ({ orderId, ...(state.channelOrderNo ? { channelOrderNo: state.channelOrderNo } : {}) });
  const isExpected = (r: ChannelStatus) => r.status !== 'SUCCESS' || r.amountFen === draft.amountFen;

  type MoveExtra = { tradeEndTime?: string; payAnswer?: PayAnswer; bankType?: string; channelOrderNo?: string };

  /** The guarded write the transition table gives for `event` from the current status, or null when it has none. */
  function transitionFor(event: OrderEvent, detail: Record<string, unknown>, extra: MoveExtra = {}) {
    const rule = nextTransition(state.payStatus, event);
    if (!rule) return null;
    const tradeEndTime = isFinalStatus(rule.to) ? extra.tradeEndTime ?? formatCompactTime(Date.now()) : undefined;
    const args: TransitionArgs = {
      orderId, from: [state.payStatus], to: rule.to, ...extra, ...(tradeEndTime ? { tradeEndTime } : {}),
      ...(rule.late ? { latePayment: true } : {}),
      eventKey: STATUS_NAMES[rule.to], eventType: rule.audit, detail,
    };
    return { rule, args, tradeEndTime };
  }

  /**
   * Moves the order as the transition table says for `event`: the read model and its audit event first (through
   * `write`, by default the transition activity), then the workflow's own state. No change (a repeat, a stale
   * report) when the table has none.
   */
  async function move(
    event: OrderEvent,
    detail: Record<string, unknown>,
    extra: MoveExtra = {},
    write: (t: TransitionArgs) => Promise<TransitionOutcome | boolean | void> = acts.transition,
  ): Promise<boolean> {
    const t = transitionFor(event, detail, extra);
    if (!t) return false;
    const { rule, tradeEndTime } = t;
    const outcome = await write(t.args);
    if (typeof outcome === 'object' && !outcome.applied && outcome.payStatus !== state.payStatus) {
      // An earlier attempt of this task decided otherwise and wrote it before its record was lost: adopt it.
      log.warn('order adopts the status its read model holds', { orderId, wanted: rule.to, held: outcome.payStatus });
      if (outcome.tradeEndTime) state.tradeEndTime = outcome.tradeEndTime;
      if (outcome.latePayment) state.latePayment = true;
      setStatus(outcome.payStatus);
      return true;
    }
    if (tradeEndTime) state.tradeEndTime = tradeEndTime;
    if (rule.late) state.latePayment = true;
    setStatus(rule.to);
    return true;
  }

  function setStatus(status: PayStatus): void {
    state.payStatus = status;
    sa.set({ key: SA.payStatus, value: status });
  }

  /** Applies a channel result. SUCCESS always wins (money was taken) unless its amount is not the order's. */
  async function apply(result: ChannelStatus, source: ChannelReport['source']): Promise<void> {
    if (result.status === 'SUCCESS') {
      if (state.payStatus === PayStatus.PAID) return;
      if (!isExpected(result)) {
        await escalate('amount_mismatch', `the channel reports ${result.amountFen} fen taken for an order of ${draft.amountFen} fen`, {
          source, reportedFen: result.amountFen, orderFen: draft.amountFen,
        });
        return;
      }
      await move('channel_success', { source, ...(isFinalStatus(state.payStatus) ? { lateAfter: state.payStatus } : {}) }, {
        tradeEndTime: formatCompactTime(result.paidAtMs), ...(result.bankType ? { bankType: result.bankType } : {}),
      });
    } else if (result.status === 'FAIL') {
      await move('channel_fail', { source, reason: result.reason });
    }
    // PENDING and UNKNOWN settle nothing.
  }

  /**
   * Applies a queued channel report. After a failover, what a channel the order has left says settles nothing
   * (its create was refused: PENDING or FAIL there is about no order of ours), unless it is a payment: money taken is
   * never ignored.
   */
  async function applyReport(report: ChannelReport): Promise<void> {
    if (report.channel !== undefined && report.channel !== channel && report.result.status !== 'SUCCESS') {
      log.info('report of a channel the order has left ignored', { orderId, from: report.channel, channel, status: report.result.status });
      return;
    }
    await apply(report.result, report.source);
  }

  /** Puts the order in the human queue (once per kind); the workflow keeps listening for reports meanwhile. */
  async function escalate(kind: 'unknown_result' | 'amount_mismatch', reason: string, detail: Record<string, unknown>): Promise<void> {
    if (state.review?.kind === kind) return;
    await acts.openReview({ orderId, workflowId, kind, reason, detail: { ...detail, round: resolvedRounds } });
    state.review = { kind, reason };
    sa.set({ key: SA.attention, value: `review:${kind}` });
  }

  /** Applies the next person's decision (support `resolve`), audited with its actor, and leaves the human queue. */
  async function resolveNext(): Promise<void> {
    const r = resolutions.shift()!;
    if (!state.review) {
      // Settled meanwhile (a report, or an earlier decision): nothing left to decide.
      resolvedRounds++;
      return;
    }
    const { event, detail } = reviewResolution(r, state.review);
    // The decision's transition (if the table has one) and the closed review are written in one activity.
    const resolve = (transition: TransitionArgs | null) => acts.resolveReview({
      orderId, decision: r.decision, reason: r.reason, actor: r.actor, round: resolvedRounds, transition,
    });
    if (!(await move(event, detail, {}, resolve))) await resolve(null);
    delete state.review;
    sa.set({ key: SA.attention, value: null });
    resolvedRounds++;
  }

  /** Answers close requests that arrive while the order cannot be closed by the channel any more. */
  function answerPendingCloses(): void {
    if (closeRequests === 0) return;
    closeRequests = 0;
    lastClose = state.payStatus === PayStatus.CANCELLED
      ? { kind: 'closed', payStatus: state.payStatus }
      : isFinalStatus(state.payStatus)
        ? { kind: 'not-allowed', payStatus: state.payStatus }
        : { kind: 'unknown', payStatus: state.payStatus, reason: 'the order has expired; its result at the channel is being settled' };
    closeRound++;
  }

  /**
   * At expiry the channel decides: paid after all, or closed and expired. While the channel cannot say (UNKNOWN, or a
   * close it did not confirm), it is asked again along the unknown schedule; past the bound the order also goes to
   * the human queue, and a report or a person's decision settles it.
   */
  async function expire(): Promise<void> {
    const schedule = timing.unknownRetryScheduleMs ?? DEFAULT_UNKNOWN_RETRY_MS;
    const escalateAfterMs = timing.escalateAfterMs ?? DEFAULT_ESCALATE_AFTER_MS;
    const unknownSince = Date.now();
    for (let attempt = 0; ; attempt++) {
      const queried = await acts.channelQuery({ channel, ref: ref() });
      let reason: string;
      if (queried.status === 'SUCCESS' || queried.status === 'FAIL') {
        // A paid order is applied (a mismatched amount goes to the human queue); FAIL means not paid: close it.
        if (queried.status === 'SUCCESS') await apply(queried, 'expiry');
        if (isFinalStatus(state.payStatus) || state.review?.kind === 'amount_mismatch') return;
      }
      if (queried.status === 'UNKNOWN') {
        reason = queried.reason;
      } else {
        const closed = await acts.channelClose({ channel, ref: ref() });
        if (closed.status === 'SUCCESS') {
          await apply(closed, 'expiry');
          return;
        }
        if (closed.status === 'FAIL') {
          await move('expiry_confirmed', { close: closed.reason });
          return;
        }
        reason = closed.status === 'UNKNOWN' ? closed.reason : 'the channel did not confirm the close';
      }
      if (!state.review && Date.now() - unknownSince >= escalateAfterMs) {
        await escalate('unknown_result', `channel result unknown since expiry: ${reason}`, { attempts: attempt + 1 });
      }
      const delay = schedule[Math.min(attempt, schedule.length - 1)]!;
      sa.flush();
      await condition(() => inbox.length > 0 || resolutions.length > 0 || closeRequests > 0, delay);
      answerPendingCloses();
      while (inbox.length > 0 && !isFinalStatus(state.payStatus)) {
        await applyReport(inbox.shift()!);
      }
      if (resolutions.length > 0) await resolveNext();
      if (isFinalStatus(state.payStatus) || state.review?.kind === 'amount_mismatch') return;
    }
  }

  /** Merchant close: the channel decides — closed (p0005), paid after all (p0000), or unknown (try again later). */
  async function close(): Promise<void> {
    closeRequests = 0;
    const result = await acts.channelClose({ channel, ref: ref() });
    if (result.status === 'SUCCESS') {
      await apply(result, 'callback');
      lastClose = { kind: 'not-allowed', payStatus: state.payStatus };
    } else if (result.status === 'FAIL') {
      await move('close_confirmed', { reason: result.reason });
      lastClose = { kind: 'closed', payStatus: PayStatus.CANCELLED };
    } else {
      lastClose = { kind: 'unknown', payStatus: state.payStatus, reason: result.status === 'UNKNOWN' ? result.reason : 'still pending at the channel' };
    }
    closeRound++;
  }

  // 1. Create the order at the channel and answer the merchant; a channel that refuses it definitively, or whose
  //    circuit is open, hands it to the next channel of the merchant's route (never after UNKNOWN: that channel may
  //    have the order and take the money, so queries settle it there).
  const open = { orderId, workflowId, requestHash: input.requestHash, channel: input.channel, draft };
  const order: ChannelOrderRequest = {
    orderId, mercNo: draft.mercNo, amountFen: draft.amountFen, subject: draft.subject ?? draft.body ?? draft.mercOrderNo,
    paywayCode: draft.paywayCode, sceneCode: draft.sceneCode, termType: draft.termType, expireAtMs: draft.expireAtMs,
    ip: draft.ip, ...(draft.bankCode ? { bankCode: draft.bankCode } : {}), ...(draft.payType ? { payType: draft.payType } : {}),
    // WeChat H5's scene_info (only the activity's input grows: no new command, histories replay as before).
    ...(draft.deviceInfo ? { deviceInfo: draft.deviceInfo } : {}), ...(draft.mchAppName ? { mchAppName: draft.mchAppName } : {}),
    ...(draft.mchAppId ? { mchAppId: draft.mchAppId } : {}),
  };
  const answerData: Omit<PayResponseData, keyof PayCredential> = {
    mercOrderNo: draft.mercOrderNo, tradeType: draft.tradeType, tradeAmt: formatFenAsYuan(draft.amountFen),
    tradeTime: draft.tradeTime, feeType: draft.feeType, termType: draft.termType, orderId,
  };
  let created: ChannelCreateResult;
  /** The CREATED transition, when openAndCreate wrote it (the first create only). */
  let createdOutcome: TransitionOutcome | null = null;
  if (patched(ONE_CREATE_STEP)) {
    // The same write move('channel_created') makes below, less what only the channel's answer holds.
    const { args } = transitionFor('channel_created', {})!;
    ({ created, outcome: createdOutcome } = await acts.openAndCreate({ open, create: { channel, order }, onCreated: { ...args, data: answerData } }));
  } else {
    await acts.openOrder(open);
    created = await acts.channelCreate({ channel, order });
  }
  while (isRefusal(created) && fallbacks.length > 0 && patched(CHANNEL_FAILOVER)) {
    const next = fallbacks.shift()!;
    await acts.switchChannel({ orderId, from: channel, to: next, result: created.kind, reason: created.reason });
    channel = next;
    state.channel = next;
    sa.set({ key: SA.channel, value: next });
    created = await acts.channelCreate({ channel, order });
  }
  if (created.kind === 'CREATED') {
    state.channelOrderNo = created.channelOrderNo;
    const ok: PayAnswer = { kind: 'ok', data: { ...answerData, ...created.credential } };
    // Written by openAndCreate already (when it could), else by the transition activity as before.
    const written = createdOutcome;
    await move('channel_created', {}, { channelOrderNo: created.channelOrderNo, payAnswer: ok }, written ? async () => written : acts.transition);
    answer = ok;
  } else if (created.kind === 'UNKNOWN') {
    // The channel may or may not have the order: keep it open and let polling and callbacks resolve it.
    answer = { kind: 'error', respCode: '200001', respDesc: '渠道结果未知,请稍后查询订单: channel result unknown', orderId };
    await acts.savePayAnswer({ orderId, answer });
  } else {
    const respCode = created.kind === 'UNSUPPORTED' ? '200002' : '200001';
    const failed: PayAnswer = { kind: 'error', respCode, respDesc: created.reason, orderId };
    await move('channel_declined', { reason: created.reason }, { payAnswer: failed });
    answer = failed;
  }

  // 2. Wait for the outcome: the first of a channel report (a callback, or a poll result from the workers' poller —
  //    polling/poller.ts polls open orders with backoff outside the workflow), a close request, and expiry. An order
  //    in the human queue waits for a person's decision (or a report) instead of expiring.
  while (!isFinalStatus(state.payStatus)) {
    const remaining = draft.expireAtMs - Date.now();
    if (remaining <= 0 && !state.review) {
      await expire();
      if (!isFinalStatus(state.payStatus) && !state.review) continue;
      if (isFinalStatus(state.payStatus)) break;
    }
    const woken = () => inbox.length > 0 || closeRequests > 0 || resolutions.length > 0;
    sa.flush();
    if (state.review ? (await condition(woken), true) : await condition(woken, Math.max(remaining, 1))) {
      if (resolutions.length > 0) {
        await resolveNext();
      } else if (closeRequests > 0 && !state.review && patched(CLOSE_BEFORE_REPORTS)) {
        // The merchant's close asks the channel, which decides (paid after all, or closed). A report queued beside
        // it may be that very close seen by the poller ("closed" as FAIL) after a worker crash: it must not win.
        await close();
      } else if (inbox.length > 0) {
        await applyReport(inbox.shift()!);
      } else if (state.review) {
        answerPendingCloses();
      } else {
        await close();
      }
    }
  }
  answerPendingCloses();

  // 3. Notify the merchant; a payment reported meanwhile (late payment) supersedes the pending notification. A
  //    payment of another amount waits for a person (after the current notification) instead of superseding it.
  const paidReport = () => inbox.some((r) => r.result.status === 'SUCCESS' && isExpected(r.result));
  for (;;) {
    const status = state.payStatus;
    if (status === PayStatus.PAID || input.notifyStatuses.includes(status)) {
      await deliverUntilAcknowledged(acts, {
        orderId, payStatus: status, retryScheduleMs: timing.notifyRetryScheduleMs, progress: state.notify,
        superseded: () => state.payStatus !== PayStatus.PAID && (paidReport() || resolutions.length > 0), replays,
        sa, firstAttemptLocal: lean,
      });
    } else {
      setState(state.notify, sa, NotifyState.NONE);
    }
    const late = inbox.find((r) => r.result.status === 'SUCCESS' && isExpected(r.result))
      ?? inbox.find((r) => r.result.status === 'SUCCESS');
    inbox.length = 0;
    if (late && state.payStatus !== PayStatus.PAID) await apply(late.result, late.source);
    if (state.review) {
      sa.flush();
      await condition(() => resolutions.length > 0);
    }
    while (resolutions.length > 0) await resolveNext();
    if (state.payStatus === status) break;
  }
  sa.flush();
  return state;
}

/** A create result that says the channel does not have the order and never will: the next channel may take it. */
function isRefusal(r: ChannelCreateResult): r is Extract<ChannelCreateResult, { kind: 'DECLINED' | 'UNSUPPORTED' | 'UNAVAILABLE' }> {
  return r.kind === 'DECLINED' || r.kind === 'UNSUPPORTED' || r.kind === 'UNAVAILABLE';
}
