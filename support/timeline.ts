import { within, workflowStatus, type SupportEnv } from './temporal';
import { listCallbacks } from '../db/channel-callbacks';
import { listChannelCalls } from '../db/channel-calls';
import { listAttempts } from '../db/notify-attempts';
import { listEvents, type OrderRecord } from '../db/orders';
import { listRefundsOfOrder } from '../db/refunds';
import { findPayout } from '../db/payouts';
import { maskPayeeAccount } from '../domain/payout';
import { formatFenAsYuan } from '../domain/money';
import { lateReportWorkflowId, type OrderStateView } from '../domain/order';
import { orderStateQuery } from '../workflows/definitions';

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const LIVE_QUERY_TIMEOUT_MS = 3_000;

export interface TimelineEntry {
  at: string;
  source: 'event' | 'channel_call' | 'channel_callback' | 'notification';
  summary: string;
}

/** Everything support needs to explain one order: read model, audit, channel traffic, notifications, live state. */
export async function orderTimeline(env: SupportEnv, order: OrderRecord) {
  const [events, calls, callbacks, attempts, workflow, lateReport, refunds, payout] = await Promise.all([
    listEvents(env.pool, order.orderId),
    listChannelCalls(env.pool, order.orderId),
    channelCallbacks(env, order.orderId),
    listAttempts(env.pool, order.orderId),
    liveWorkflow(env, order.workflowId),
    order.latePayment ? lateReportStatus(env, order) : Promise.resolve(null),
    listRefundsOfOrder(env.pool, order.orderId),
    order.tradeType === '01' ? Promise.resolve(null) : findPayout(env.pool, order.orderId),
  ]);
  const entries: (Omit<TimelineEntry, 'at'> & { ms: number })[] = [
    ...events.map((e) => ({
      ms: e.createdAtMs, source: 'event' as const,
      summary: `${e.type}${e.toStatus ? ` ${e.fromStatus ?? ''}→${e.toStatus}` : ''}${detailText(e.detail)}${e.actor ? ` by ${e.actor}` : ''}`,
    })),
    ...calls.map((c) => ({
      ms: c.calledAtMs, source: 'channel_call' as const,
      summary: `${c.channel} ${c.op} → ${c.status} (${c.latencyMs} ms)${c.error ? `: ${c.error}` : ''}` +
        `${c.repeats > 1 ? `; ${c.repeats} calls with this answer, the last at ${iso(c.lastCalledAtMs)}` : ''}`,
    })),
    ...(callbacks ?? []).map((c) => ({
      ms: c.receivedAtMs, source: 'channel_callback' as const,
      summary: `${c.channel} callback ${c.statusCode ?? ''} → ${c.outcome}${c.reason ? `: ${c.reason}` : ''}`,
    })),
    ...attempts.map((a) => ({
      ms: a.startedAtMs, source: 'notification' as const,
      summary: `${a.payStatus.startsWith('r') ? 'refund notification ' : ''}attempt ${a.attempt} (${a.payStatus}) → ${a.outcome}, HTTP ${a.httpStatus ?? '-'}, ${a.latencyMs} ms` +
        `${a.error ? `: ${a.error}` : ''}`,
    })),
  ];
  entries.sort((a, b) => a.ms - b.ms);

  return {
    order: {
      orderId: order.orderId, mercNo: order.mercNo, mercOrderNo: order.mercOrderNo, workflowId: order.workflowId,
      tradeAmt: formatFenAsYuan(order.amountFen), amountFen: order.amountFen, feeType: order.feeType,
      paywayCode: order.paywayCode, sceneCode: order.sceneCode, termType: order.termType,
      channel: order.channel, channelOrderNo: order.channelOrderNo, payStatus: order.payStatus, latePayment: order.latePayment,
      tradeTime: order.tradeTime, tradeEndTime: order.tradeEndTime, bankType: order.bankType, expireAt: iso(order.expireAtMs),
      notifyUrl: order.notifyUrl, notifyState: order.notifyState, notifyAttempts: order.notifyAttempts,
      notifyNextAt: iso(order.notifyNextAtMs), createdAt: iso(order.createdAtMs), updatedAt: iso(order.updatedAtMs),
    },
    workflow,
    lateReport,
    /** The audit trail; `actor` is the support operator behind an event (`merchant:<mercNo>` for a merchant's repeat), null for the system's own. */
    events: events.map((e) => ({ at: iso(e.createdAtMs), type: e.type, fromStatus: e.fromStatus, toStatus: e.toStatus, actor: e.actor, detail: e.detail })),
    /** One entry per call, or per run of identical query answers (`repeats` > 1: `at` the first, `lastAt` the latest, `latencyMs` the slowest). */
    channelCalls: calls.map((c) => ({
      at: iso(c.calledAtMs), channel: c.channel, op: c.op, status: c.status, latencyMs: c.latencyMs, error: c.error,
      repeats: c.repeats, lastAt: iso(c.lastCalledAtMs),
    })),
    /** null when this installation has no channel_callbacks table. */
    channelCallbacks: callbacks?.map((c) => ({
      at: iso(c.receivedAtMs), channel: c.channel, funcode: c.funcode, statusCode: c.statusCode, signatureValid: c.signatureValid,
      outcome: c.outcome, reason: c.reason,
    })) ?? null,
    notifications: attempts.map((a) => ({
      notifyId: a.notifyId, attempt: a.attempt, payStatus: a.payStatus, at: iso(a.startedAtMs), outcome: a.outcome,
      httpStatus: a.httpStatus, latencyMs: a.latencyMs, answerExcerpt: a.answerExcerpt, error: a.error, url: a.url,
    })),
    /** The order's refunds (their events, channel calls and notifications are in the timeline too). */
    refunds: refunds.map((r) => ({
      refundId: r.refundId, mercRefundNo: r.mercRefundNo, refundAmt: formatFenAsYuan(r.amountFen), refundStatus: r.refundStatus,
      workflowId: r.workflowId, channelRefundNo: r.channelRefundNo, refundEndTime: r.refundEndTime, failReason: r.failReason,
      notifyState: r.notifyState, notifyAttempts: r.notifyAttempts, createdAt: iso(r.createdAtMs),
    })),
    refundedAmt: formatFenAsYuan(order.refundedFen),
    /** A payout's payee (account masked), approval, limit day and what the channel said; null for a payment. */
    payout: payout ? {
      tradeType: order.tradeType, payeeName: payout.payee.name, payeeAccount: maskPayeeAccount(payout.payee.account),
      payeeAccountType: payout.payee.accountType, bankCode: payout.payee.bankCode ?? null, approval: payout.approval,
      approvalActor: payout.approvalActor, approvalReason: payout.approvalReason, limitDay: payout.limitDay,
      countsOnLimit: payout.reserved, channelTransferNo: payout.channelTransferNo, failReason: payout.failReason,
    } : null,
    timeline: entries.map(({ ms, source, summary }) => ({ at: iso(ms)!, source, summary })),
  };
}
export type OrderTimeline = Awaited<ReturnType<typeof orderTimeline>>;

/** Channel callbacks (table channel_callbacks, db/channel-callbacks.ts); null where the table does not exist. */
async function channelCallbacks(env: SupportEnv, orderId: string) {
  try {
    return await listCallbacks(env.pool, orderId);
  } catch (err) {
    if ((err as { code?: string }).code === '42P01') return null; // undefined_table
    throw err;
  }
}

/** The workflow's status and, while it runs, its own view of the order (orderStateQuery). */
async function liveWorkflow(env: SupportEnv, workflowId: string) {
  let status: string;
  try {
    status = await within(workflowStatus(env.temporal, workflowId), LIVE_QUERY_TIMEOUT_MS, 'describe');
  } catch (err) {
    // The database's story is still worth showing when Temporal cannot be reached.
    return { workflowId, status: 'UNAVAILABLE', live: null, note: `Temporal unavailable: ${(err as Error).message}` };
  }
  let live: OrderStateView | null = null;
  let note: string | null = null;
  if (status === 'RUNNING') {
    try {
      live = await within(env.temporal.workflow.getHandle(workflowId).query(orderStateQuery), LIVE_QUERY_TIMEOUT_MS, 'order state query');
    } catch (err) {
      note = `live state unavailable (${(err as Error).message}); is a worker running?`;
    }
  }
  return { workflowId, status, live, note };
}

async function lateReportStatus(env: SupportEnv, order: OrderRecord) {
  const workflowId = lateReportWorkflowId(order.mercNo, order.mercOrderNo);
  const status = await within(workflowStatus(env.temporal, workflowId), LIVE_QUERY_TIMEOUT_MS, 'describe').catch(() => 'UNAVAILABLE');
  return { workflowId, status };
}

function detailText(detail: Record<string, unknown>): string {
  const parts = Object.entries(detail).filter(([, v]) => v !== undefined && v !== null).map(([k, v]) => `${k}=${typeof v === 'string' ? v : JSON.stringify(v)}`);
  return parts.length ? ` (${parts.join(', ')})` : '';
}
