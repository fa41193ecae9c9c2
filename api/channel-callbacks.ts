import type { ApiContext } from './context';
import { deliverChannelReport } from '../orders/channel-reports';
import type { CallbackHeaders, CallbackReply, ChannelInbound } from '../channels/plugin';
import { claimCallbackEffect, finishCallback, finishCallbackEffect, recordCallback, type NewCallback } from '../db/channel-callbacks';
import { findOrderById } from '../db/orders';
import { deliverChannelRefundReport } from '../refunds/channel-refund-report';
import type { ChannelName } from '../domain/channels';
import { PayStatus } from '../domain/pay-status';
import { logThrottle } from '../observability/log-throttle';
import type { UnverifiedReason } from '../observability/api-metrics';

/** A claim older than this whose receipt never finished (a crashed API process) may be taken over by a retry. */
const STALE_CLAIM_MS = 60_000;

/** At most one log line per reason per this interval for callbacks refused before they verified (a flood). */
const UNVERIFIED_LOG_INTERVAL_MS = 10_000;
const unverifiedLog = logThrottle(UNVERIFIED_LOG_INTERVAL_MS);

/**
 * Handles one notification body of any channel: the channel parses, verifies and maps it (its `inbound`); this
 * records, deduplicates and hands the news to the order, and answers with the channel's own replies.
 *   - Only callbacks that verify (signed with the key of the order's account at that channel) are stored in
 *     channel_callbacks, with their outcome. Anyone can POST to the endpoint: unreadable, unknown-order, wrong-account
 *     and wrongly signed bodies are refused ("send again") and change nothing; they are counted
 *     (paydurable_channel_callbacks_unverified_total{channel,reason}) and logged without the body, never stored.
 *   - A verified callback we cannot apply (unknown state, another amount) is stored as rejected ("send again").
 *   - The same news (the channel's `news` key) is handed to the order once: the first receipt claims it; a later one
 *     is a duplicate (received, nothing changes); one that arrives while the first is still being handled is told to
 *     come again, so that a failed hand-over is never answered as received.
 *   - Handing over uses deliverChannelReport, which also covers an order whose workflow has closed (late payment).
 *   - A verified refund report (kind 'refund') wakes that refund's workflow (it queries the channel at once), is stored and acknowledged.
 * `source` is the sender's address (for the log line of a refused body).
 */
export async function receiveChannelCallback(
  ctx: ApiContext, channel: ChannelName, inbound: ChannelInbound, raw: Buffer, source: string, headers: CallbackHeaders = {},
): Promise<CallbackReply> {
  const { received, again } = inbound.replies;
  const bodyBytes = raw.length;
  const empty: NewCallback = {
    channel, orderId: null, funcode: null, statusCode: null, signatureValid: null, signRule: null,
    outcome: 'received', reason: null, dedupKey: null, fields: null, bodyBytes,
  };
  const verdict = await inbound.receive(raw, async (orderId) => {
    const order = await findOrderById(ctx.pool, orderId);
    return order && order.channel === channel ? order : null;
  }, headers);
  if (verdict.kind === 'refused') {
    refuseUnverified(ctx, channel, { reason: verdict.reason, detail: verdict.detail, orderId: verdict.orderId, bodyBytes, source });
    return inbound.replies.refused ?? again;
  }
  const { order, facts } = verdict;
  const stored: NewCallback = {
    ...empty, orderId: order.orderId, funcode: facts.funcode, statusCode: facts.statusCode, signRule: facts.signRule,
    fields: facts.fields, signatureValid: true,
  };
  if (verdict.kind === 'rejected') {
    await recordCallback(ctx.pool, { ...stored, outcome: 'rejected', reason: verdict.reason });
    return again;
  }
  if (verdict.kind === 'refund') {
    // Handed to the refund's workflow as "ask the channel now" (its refund query decides, not this body); a refund we
    // do not know, or one whose workflow has ended, is only recorded. Temporal unreachable: the channel sends it again.
    const { refundId, result } = verdict.refund;
    const handed = await deliverChannelRefundReport(ctx, order.orderId, refundId);
    if (handed === 'unreachable') {
      await recordCallback(ctx.pool, { ...stored, outcome: 'rejected', reason: `refund ${refundId} ${result.status}: workflow not reachable, send again` });
      return again;
    }
    await recordCallback(ctx.pool, { ...stored, outcome: 'accepted', reason: `refund ${refundId} ${result.status}: ${handed}`, dedupKey: `${channel}:${verdict.news}` });
    return received;
  }
  const { result } = verdict;
  if (result.status === 'PENDING') {
    await recordCallback(ctx.pool, { ...stored, outcome: 'accepted', reason: 'awaiting payment: nothing to do' });
    return received;
  }
  if (result.status === 'SUCCESS' && order.payStatus === PayStatus.PAID) {
    await recordCallback(ctx.pool, { ...stored, outcome: 'duplicate', reason: 'order already paid' });
    return received;
  }

  const dedupKey = `${channel}:${verdict.news}`;
  const id = await recordCallback(ctx.pool, { ...stored, dedupKey });
  const claim = await claimCallbackEffect(ctx.pool, dedupKey, id, STALE_CLAIM_MS);
  if (claim === 'handed_over') {
    await finishCallback(ctx.pool, id, 'duplicate', 'already handed to the order');
    return received;
  }
  if (claim === 'in_flight') {
    await finishCallback(ctx.pool, id, 'retry', 'the same notification is being handled');
    return again;
  }
  try {
    const handedTo = await deliverChannelReport(ctx, order, { source: 'callback', channel, result });
    await finishCallbackEffect(ctx.pool, dedupKey, id, { state: 'handed_over', handedTo });
    await finishCallback(ctx.pool, id, 'accepted', `handed to ${handedTo}`);
    return received;
  } catch (err) {
    ctx.log.warn({ channel, orderId: order.orderId, err: (err as Error).message }, 'channel notification not handed over; the channel will retry');
    await finishCallbackEffect(ctx.pool, dedupKey, id, { state: 'failed' });
    await finishCallback(ctx.pool, id, 'retry', 'hand-over to the order failed');
    return again;
  }
}

/**
 * A callback refused before it verified: counted, and logged (at most once per reason per 10 s) with the reason, the
 * order it names, its size and its sender; never its fields or signature.
 */
export function refuseUnverified(
  ctx: Pick<ApiContext, 'metrics' | 'log'>,
  channel: ChannelName,
  r: { reason: UnverifiedReason; detail: string; orderId: string | null; bodyBytes: number; source: string },
): void {
  ctx.metrics.callbackUnverified(channel, r.reason);
  unverifiedLog(`${channel}:${r.reason}`, (suppressed) => ctx.log.warn({
    channel, reason: r.reason, detail: r.detail.slice(0, 120), orderId: r.orderId?.slice(0, 64) ?? null,
    bodyBytes: r.bodyBytes, source: r.source, ...(suppressed > 0 ? { suppressed } : {}),
  }, 'channel callback refused before it verified: not stored'));
}

