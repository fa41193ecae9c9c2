import type { ApiContext } from './context';
import { deliverChannelReport } from '../orders/channel-reports';
import { accountResolver } from '../channels/ipaynow/accounts';
import { decodeForm, type FormFields } from '../channels/ipaynow/form';
import { verifyN001 } from '../channels/ipaynow/notification';
import { transStatusField } from '../channels/ipaynow/report';
import { claimCallbackEffect, finishCallback, finishCallbackEffect, recordCallback, type NewCallback } from '../db/channel-callbacks';
import { findOrderById } from '../db/orders';
import { PayStatus } from '../domain/pay-status';
import { logThrottle } from '../observability/log-throttle';
import { hasControlCharacter } from './schemas/fields';
import type { UnverifiedReason } from '../observability/api-metrics';

/** The answer IPayNow reads: `success=Y` = received, anything else = send it again later. */
export type NotifyReply = 'success=Y' | 'success=N';

/** A claim older than this whose receipt never finished (a crashed API process) may be taken over by a retry. */
const STALE_CLAIM_MS = 60_000;

/** At most one log line per reason per this interval for callbacks refused before they verified (a flood). */
const UNVERIFIED_LOG_INTERVAL_MS = 10_000;
const unverifiedLog = logThrottle(UNVERIFIED_LOG_INTERVAL_MS);

/**
 * Handles one N001 notification body: parse, verify, record, deduplicate, hand to the order.
 *   - Only notifications that verify (signed with the key of the order's IPayNow account) are stored in
 *     channel_callbacks, with their outcome. Anyone can POST to this endpoint: unreadable, unknown-order, wrong-app
 *     and wrongly signed bodies are refused (`success=N`) and change nothing; they are counted
 *     (paydurable_channel_callbacks_unverified_total{reason}) and logged without the body, never stored.
 *   - A verified notification we cannot apply (unknown state, another amount) is stored as rejected (`success=N`).
 *   - The same news (appId + order + state) is handed to the order once: the first receipt claims it; a later one is
 *     a duplicate (`success=Y`, nothing changes); one that arrives while the first is still being handled is told to
 *     come again (`success=N`) so that a failed hand-over is never answered as received.
 *   - Handing over uses deliverChannelReport, which also covers an order whose workflow has closed (late payment).
 * `source` is the sender's address (for the log line of a refused body).
 */
export async function receiveIpaynowNotify(ctx: ApiContext, raw: Buffer, source: string): Promise<NotifyReply> {
  const bodyBytes = raw.length;
  const refuse = (reason: UnverifiedReason, detail: string, orderId: string | null = null): NotifyReply => {
    refuseUnverified(ctx, { reason, detail, orderId, bodyBytes, source });
    return 'success=N';
  };
  const reject = async (reason: string, extra: Partial<NewCallback>): Promise<NotifyReply> => {
    await recordCallback(ctx.pool, { ...emptyRecord(bodyBytes), ...extra, outcome: 'rejected', reason });
    return 'success=N';
  };

  const text = utf8(raw);
  if (text === null) return refuse('unreadable', 'body is not UTF-8');
  const decoded = decodeForm(text);
  if (!decoded.ok) return refuse('unreadable', `malformed body: ${decoded.reason}`);
  const fields = decoded.fields;
  // No control character (NUL above all: PostgreSQL cannot store it) reaches a query or the stored fields.
  if (Object.entries(fields).some(([k, v]) => hasControlCharacter(k) || hasControlCharacter(v))) return refuse('unreadable', 'malformed body: control character');
  if (!fields.mhtOrderNo) return refuse('unknown_order', 'mhtOrderNo missing');
  const order = await findOrderById(ctx.pool, fields.mhtOrderNo);
  if (!order || order.channel !== 'ipaynow') return refuse('unknown_order', 'unknown order', fields.mhtOrderNo);

  const account = await accountResolver(ctx.pool, ctx.config.ipaynow, ctx.config.secrets.keyring)(order.mercNo);
  const verdict = verifyN001(fields, account, { orderId: order.orderId, amountFen: order.amountFen }, ctx.now());
  if (!verdict.ok && verdict.signatureValid !== true) return refuse('unverified', verdict.reason, order.orderId);
  const facts: Partial<NewCallback> = {
    orderId: order.orderId,
    funcode: fields.funcode ?? null,
    statusCode: transStatusField(fields) ?? null,
    fields: withoutSignature(fields),
  };
  if (!verdict.ok) return reject(verdict.reason, { ...facts, signatureValid: true });

  const verified: NewCallback = { ...emptyRecord(bodyBytes), ...facts, signatureValid: true, signRule: verdict.signRule, outcome: 'received' };
  const { result } = verdict;
  if (result.status === 'PENDING') {
    await recordCallback(ctx.pool, { ...verified, outcome: 'accepted', reason: 'awaiting payment: nothing to do' });
    return 'success=Y';
  }
  if (result.status === 'SUCCESS' && order.payStatus === PayStatus.PAID) {
    await recordCallback(ctx.pool, { ...verified, outcome: 'duplicate', reason: 'order already paid' });
    return 'success=Y';
  }

  const dedupKey = `ipaynow:${fields.appId}:${order.orderId}:${verdict.statusCode}`;
  const id = await recordCallback(ctx.pool, { ...verified, dedupKey });
  const claim = await claimCallbackEffect(ctx.pool, dedupKey, id, STALE_CLAIM_MS);
  if (claim === 'handed_over') {
    await finishCallback(ctx.pool, id, 'duplicate', 'already handed to the order');
    return 'success=Y';
  }
  if (claim === 'in_flight') {
    await finishCallback(ctx.pool, id, 'retry', 'the same notification is being handled');
    return 'success=N';
  }
  try {
    const handedTo = await deliverChannelReport(ctx, order, { source: 'callback', result });
    await finishCallbackEffect(ctx.pool, dedupKey, id, { state: 'handed_over', handedTo });
    await finishCallback(ctx.pool, id, 'accepted', `handed to ${handedTo}`);
    return 'success=Y';
  } catch (err) {
    ctx.log.warn({ orderId: order.orderId, err: (err as Error).message }, 'ipaynow notification not handed over; IPayNow will retry');
    await finishCallbackEffect(ctx.pool, dedupKey, id, { state: 'failed' });
    await finishCallback(ctx.pool, id, 'retry', 'hand-over to the order failed');
    return 'success=N';
  }
}

/**
 * A callback refused before it verified: counted, and logged (at most once per reason per 10 s) with the reason, the
 * order it names, its size and its sender; never its fields or signature.
 */
export function refuseUnverified(
  ctx: ApiContext,
  r: { reason: UnverifiedReason; detail: string; orderId: string | null; bodyBytes: number; source: string },
): void {
  ctx.metrics.callbackUnverified('ipaynow', r.reason);
  unverifiedLog(r.reason, (suppressed) => ctx.log.warn({
    channel: 'ipaynow', reason: r.reason, detail: r.detail.slice(0, 120), orderId: r.orderId?.slice(0, 64) ?? null,
    bodyBytes: r.bodyBytes, source: r.source, ...(suppressed > 0 ? { suppressed } : {}),
  }, 'channel callback refused before it verified: not stored'));
}

function emptyRecord(bodyBytes: number): NewCallback {
  return {
    channel: 'ipaynow', orderId: null, funcode: null, statusCode: null, signatureValid: null, signRule: null,
    outcome: 'received', reason: null, dedupKey: null, fields: null, bodyBytes,
  };
}

function withoutSignature(fields: FormFields): Record<string, string> {
  const { signature: _signature, ...rest } = fields;
  return rest;
}

const decoder = new TextDecoder('utf-8', { fatal: true });
function utf8(raw: Buffer): string | null {
  try {
    return decoder.decode(raw);
  } catch {
    return null;
  }
}
