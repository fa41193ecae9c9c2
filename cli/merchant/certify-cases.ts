import { randomBytes } from 'node:crypto';
import type { CertifyRelay, RelayedNotification } from './certify-relay';
import { answeredSuccess, notRun, rejected, REJECTED_LABEL, successLabel, type CaseResult, type Check } from './certify-checks';
import type { SignedAnswer } from './signed-call';
import { formatCompactTime } from '../../domain/time';
import { signatureHeaderValue, SIGNATURE_HEADER } from '../../domain/raw-signature';
import { RAW_SIGN_TYPE, withSignature, type FieldSignType, type SignType } from '../../domain/signing';

/** What the cases run with: signed API calls, the relay, the limit under test and how long to wait for the platform. */
export interface CertifyContext {
  call(path: string, fields: Record<string, string>): Promise<SignedAnswer>;
  apiUrl: string;
  relay: CertifyRelay;
  signType: SignType;
  /** The merchant must answer within this (the platform waits 5 s). */
  limitMs: number;
  /** How long to wait for each step of the platform (a notification, a retry). */
  waitMs: number;
}

/** The cases in the order the table lists them. */
export const CASES = ['paid', 'duplicate', 'expired', 'closed', 'late payment', 'refund', 'bad signature', 'slow retry'] as const;
export type CaseName = (typeof CASES)[number];

const AGAIN = 'answered `success` again (idempotent)';
const TO_RETRY = 'answered `success` to the retry';
const RETRIED = 'the platform retried';
const LATE = 'answered `success` to p0000 after p0006';

/** The checks each case makes (their labels), so that a case cut short still lists what it did not prove. */
function checksOf(name: CaseName, limitMs: number): string[] {
  switch (name) {
    case 'duplicate': return [successLabel(limitMs, AGAIN)];
    case 'bad signature': return [REJECTED_LABEL];
    case 'slow retry': return [RETRIED, successLabel(limitMs, TO_RETRY)];
    case 'late payment': return [successLabel(limitMs, LATE)];
    default: return [successLabel(limitMs)];
  }
}
type Record_ = (name: CaseName, checks: Check[]) => void;

/**
 * Runs every case against the merchant's endpoint (through the relay) and returns one result per case, in CASES order.
 * Independent cases run side by side: the paid order (then its duplicate and its refund), the expired order (then its
 * late payment), the closed order (then a forged notification about it) and the retried order.
 */
export async function runCases(ctx: CertifyContext): Promise<CaseResult[]> {
  const results = new Map<CaseName, Check[]>();
  const record: Record_ = (name, checks) => void results.set(name, checks);
  const chain = async (names: CaseName[], body: (record: Record_) => Promise<void>) => {
    try {
      await body(record);
    } catch (err) {
      for (const n of names) if (!results.has(n)) record(n, checksOf(n, ctx.limitMs).map((c) => notRun(c, (err as Error).message)));
    }
  };
  await Promise.all([
    chain(['paid', 'duplicate', 'refund'], (r) => paidDuplicateRefund(ctx, r)),
    chain(['expired', 'late payment'], (r) => expiredThenLate(ctx, r)),
    chain(['closed', 'bad signature'], (r) => closedThenForged(ctx, r)),
    chain(['slow retry'], (r) => slowRetry(ctx, r)),
  ]);
  return CASES.map((name) => ({ name, checks: results.get(name) ?? [] }));
}

const orderNo = (tag: string) => `CERT${formatCompactTime(Date.now())}${randomBytes(3).toString('hex').toUpperCase()}${tag}`;

/** A test-mode order whose notifications go to the relay; `tradeTimeMs` in the past shortens its validity. */
async function placeOrder(ctx: CertifyContext, tag: string, amount: string, validity?: { tradeTimeMs: number; periodMin: string }): Promise<{ mercOrderNo: string; orderId: string; channelOrderNo: string }> {
  const mercOrderNo = orderNo(tag);
  const a = await ctx.call('/api/pay', {
    mercOrderNo, subject: `Certification: ${tag}`, tradeType: '01', tradeAmt: amount, feeType: 'CNY',
    tradeTime: formatCompactTime(validity?.tradeTimeMs ?? Date.now()), orderPeriod: validity?.periodMin ?? '30',
    notifyUrl: ctx.relay.url, returnUrl: `${ctx.apiUrl}/healthz`, termType: 'wap', paywayCode: 'alipay', sceneCode: 'scan', ip: '127.0.0.1',
  });
  if (a.body.respCode !== '000000') throw new Error(`unified order refused: ${a.body.respCode} ${a.body.respDesc}`);
  if (a.body.livemode !== 'false') throw new Error('the order is not a test-mode order');
  const link = a.body.codeUrl ?? '';
  const channelOrderNo = decodeURIComponent(new URL(link).pathname.split('/').filter(Boolean).pop() ?? '');
  return { mercOrderNo, orderId: a.body.orderId!, channelOrderNo };
}

/** The payer pays at the sandbox cashier; `afterClose`: the sandbox takes the money although the order was closed. */
async function sandboxPay(ctx: CertifyContext, channelOrderNo: string, afterClose = false): Promise<void> {
  const res = await fetch(`${ctx.apiUrl}/sandbox/api/pay`, {
    method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ channelOrderNo, afterClose }),
  });
  const body = (await res.json()) as { paid?: boolean; message?: string; respDesc?: string };
  if (!body.paid) throw new Error(`the sandbox did not pay the order: ${body.message ?? body.respDesc ?? `HTTP ${res.status}`}`);
}

const notificationOf = (orderId: string, payStatus: string, minAttempt = 1) => (n: RelayedNotification) =>
  n.fields.orderId === orderId && n.fields.payStatus === payStatus && n.fields.notifyType === undefined && n.attempt >= minAttempt;

async function paidDuplicateRefund(ctx: CertifyContext, record: Record_): Promise<void> {
  const order = await placeOrder(ctx, 'PAID', '0.02');
  await sandboxPay(ctx, order.channelOrderNo);
  const paid = await ctx.relay.waitFor(notificationOf(order.orderId, 'p0000'), ctx.waitMs, 'p0000 notification of the paid order');
  record('paid', [answeredSuccess(paid.answer, ctx.limitMs)]);

  // The identical notification again: same bytes, same X-Notify-Id, X-Notify-Attempt and signature.
  const again = await ctx.relay.send(paid.raw, paid.headers);
  record('duplicate', [answeredSuccess(again, ctx.limitMs, AGAIN)]);

  const mercRefundNo = orderNo('RF');
  const r = await ctx.call('/api/refund', { mercOrderNo: order.mercOrderNo, mercRefundNo, refundAmt: '0.01' });
  if (r.body.respCode !== '000000') throw new Error(`refund refused: ${r.body.respCode} ${r.body.respDesc}`);
  const refunded = await ctx.relay.waitFor((n) => n.fields.notifyType === 'refund' && n.fields.mercRefundNo === mercRefundNo,
    ctx.waitMs, 'refund notification');
  record('refund', [answeredSuccess(refunded.answer, ctx.limitMs)]);
}

async function expiredThenLate(ctx: CertifyContext, record: Record_): Promise<void> {
  // orderPeriod is in whole minutes: a tradeTime 56 s ago with a 1-minute period expires within about 4 s.
  const order = await placeOrder(ctx, 'EXP', '0.01', { tradeTimeMs: Date.now() - 56_000, periodMin: '1' });
  const expired = await ctx.relay.waitFor(notificationOf(order.orderId, 'p0006'), ctx.waitMs + 3_000, 'p0006 notification of the expired order');
  record('expired', [answeredSuccess(expired.answer, ctx.limitMs)]);

  // The money is taken after all: the order becomes p0000 (late payment) and the merchant is told.
  await sandboxPay(ctx, order.channelOrderNo, true);
  const late = await ctx.relay.waitFor(notificationOf(order.orderId, 'p0000'), ctx.waitMs, 'p0000 notification of the late payment');
  record('late payment', [answeredSuccess(late.answer, ctx.limitMs, LATE)]);
}

async function closedThenForged(ctx: CertifyContext, record: Record_): Promise<void> {
  const order = await placeOrder(ctx, 'CLS', '0.01');
  const c = await ctx.call('/api/close', { mercOrderNo: order.mercOrderNo });
  if (c.body.respCode !== '000000') throw new Error(`close refused: ${c.body.respCode} ${c.body.respDesc}`);
  const closed = await ctx.relay.waitFor(notificationOf(order.orderId, 'p0005'), ctx.waitMs, 'p0005 notification of the closed order');
  record('closed', [answeredSuccess(closed.answer, ctx.limitMs)]);

  // What an attacker would send: "the closed order was paid", signed with a key that is not the merchant's.
  const forged = forgePaid(closed, ctx.signType);
  record('bad signature', [rejected(await ctx.relay.send(forged.raw, forged.headers))]);
}

/** A p0000 copy of a real notification, signed with a random key in the merchant's sign type. */
function forgePaid(n: RelayedNotification, signType: SignType): { raw: Buffer; headers: Record<string, string> } {
  const wrongKey = randomBytes(16).toString('hex');
  const fields: Record<string, string> = { ...n.fields, payStatus: 'p0000', tradeEndTime: formatCompactTime(Date.now()) };
  delete fields.signature;
  const headers: Record<string, string> = { ...n.headers, 'x-notify-id': `${n.fields.orderId}-p0000`, 'x-notify-attempt': '1' };
  delete headers[SIGNATURE_HEADER.toLowerCase()];
  if (signType === RAW_SIGN_TYPE) {
    const text = JSON.stringify(fields);
    headers[SIGNATURE_HEADER.toLowerCase()] = signatureHeaderValue([wrongKey], Math.floor(Date.now() / 1000), text);
    return { raw: Buffer.from(text, 'utf8'), headers };
  }
  return { raw: Buffer.from(JSON.stringify(withSignature(fields, wrongKey, signType as FieldSignType)), 'utf8'), headers };
}

async function slowRetry(ctx: CertifyContext, record: Record_): Promise<void> {
  const order = await placeOrder(ctx, 'RTY', '0.01');
  ctx.relay.failFirstAttemptOf(order.orderId);
  await sandboxPay(ctx, order.channelOrderNo);
  await ctx.relay.waitFor(notificationOf(order.orderId, 'p0000'), ctx.waitMs, 'p0000 notification of the retried order');
  let retry: RelayedNotification;
  try {
    retry = await ctx.relay.waitFor(notificationOf(order.orderId, 'p0000', 2), ctx.waitMs, 'retry (X-Notify-Attempt 2)');
  } catch (err) {
    return record('slow retry', [notRun(RETRIED, `${(err as Error).message} (is the first delay of the merchant's notify schedule longer?)`),
      notRun(successLabel(ctx.limitMs, TO_RETRY), 'no retry to answer')]);
  }
  record('slow retry', [
    { check: RETRIED, pass: true, detail: `attempt ${retry.attempt} after the first was answered \`fail\`` },
    answeredSuccess(retry.answer, ctx.limitMs, TO_RETRY),
  ]);
}
