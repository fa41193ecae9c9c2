import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, merchantCall, testMerchant, type TestMerchant } from '../support/stack';
import { MerchantReceiver } from '../support/merchant-receiver';
import { unifiedOrderFields } from '../support/requests';
import { payer, startAlipayStack, type AlipayStack } from '../support/alipay';
import { listChannelCalls } from '../../db/channel-calls';
import { listReviewsOf } from '../../db/order-reviews';
import { findOrderById } from '../../db/orders';
import { supportCall } from '../support/support-call';

// Alipay refunds end to end: real API + worker + Temporal + PostgreSQL, alipay.trade.refund and
// alipay.trade.fastpay.refund.query at the emulator, which counts the refund requests it receives per out_request_no.
let s: AlipayStack;
const receivers: MerchantReceiver[] = [];

beforeAll(async () => {
  s = await startAlipayStack({ POLL_SCHEDULE: '2s', REFUND_QUERY_SCHEDULE: '200ms', REFUND_ESCALATE_AFTER: '1s' });
});
afterEach(async () => {
  s.emulator.faults.gateway = [];
  await Promise.all(receivers.splice(0).map((r) => r.stop()));
});
afterAll(async () => {
  await s?.stop();
});

async function paidOrder(merchant: TestMerchant): Promise<{ orderId: string; mercOrderNo: string; receiver: MerchantReceiver }> {
  const receiver = await new MerchantReceiver().start();
  receivers.push(receiver);
  const fields = unifiedOrderFields({ notifyUrl: receiver.url, paywayCode: 'alipay', sceneCode: 'scan', tradeAmt: '5.00' });
  const res = await merchantCall(s.stack.api.url, '/api/pay', merchant, fields);
  expect(res.body.respCode, res.body.respDesc).toBe('000000');
  const orderId = res.body.orderId!;
  await payer(s.emulator.url, 'scan', { outTradeNo: orderId });
  expect((await payer(s.emulator.url, 'pay', { outTradeNo: orderId })).status).toBe(200);
  await eventually(async () => ((await findOrderById(s.stack.pool, orderId))?.payStatus === 'p0000' ? true : null), 15_000, 'paid');
  return { orderId, mercOrderNo: fields.mercOrderNo!, receiver };
}

const refundNo = () => `AR${Date.now()}${Math.floor(Math.random() * 1e6)}`;
const refundStatusOf = (merchant: TestMerchant, mercRefundNo: string, status: string) => eventually(async () => {
  const res = await merchantCall(s.stack.api.url, '/api/refund/query', merchant, { mercRefundNo });
  return res.body.refundStatus === status ? res.body : null;
}, 15_000, `refund ${status}`);

describe('Alipay refunds', () => {
  it('alipay.trade.refund with fund_change Y: refunded, notified', async () => {
    const merchant = await testMerchant(s.stack.pool, { mode: 'live' });
    const { orderId, mercOrderNo, receiver } = await paidOrder(merchant);
    const mercRefundNo = refundNo();
    const res = await merchantCall(s.stack.api.url, '/api/refund', merchant, { mercOrderNo, mercRefundNo, refundAmt: '2.00', reason: 'damaged' });
    expect(res.body.respCode, res.body.respDesc).toBe('000000');
    const refundId = res.body.refundId!;
    expect(await refundStatusOf(merchant, mercRefundNo, 'r0000')).toMatchObject({ refundAmt: '2.00', refundId });
    const trade = s.emulator.trade(orderId)!;
    expect(trade.refunds.get(refundId)).toMatchObject({ amount: '2.00' });
    expect(trade.refundRequests.get(refundId)).toBe(1);
    await eventually(async () => (receiver.forOrder(refundId).length > 0 ? true : null), 15_000, 'refund notification');
    expect(receiver.forOrder(refundId)[0]!.body).toMatchObject({ notifyType: 'refund', refundStatus: 'r0000', livemode: 'true' });
  });

  it('a refund whose answer times out is found refunded by refund.query; the refund is never sent a second time', async () => {
    const merchant = await testMerchant(s.stack.pool, { mode: 'live' });
    const { orderId, mercOrderNo } = await paidOrder(merchant);
    // The emulator makes the refund but answers only after 2 s; the adapter gives up after ALIPAY_TIMEOUT (500 ms).
    s.emulator.faults.gateway = [{ kind: 'timeout', method: 'alipay.trade.refund', times: 1, delayMs: 2_000 }];
    const mercRefundNo = refundNo();
    const res = await merchantCall(s.stack.api.url, '/api/refund', merchant, { mercOrderNo, mercRefundNo, refundAmt: '1.50' });
    expect(res.body.respCode, res.body.respDesc).toBe('000000');
    const refundId = res.body.refundId!;
    await refundStatusOf(merchant, mercRefundNo, 'r0000');
    const calls = (await listChannelCalls(s.stack.pool, orderId)).filter((c) => c.op === 'refund' || c.op === 'refund_query');
    expect(calls[0]).toMatchObject({ op: 'refund', status: 'UNKNOWN' });
    expect(calls.filter((c) => c.op === 'refund')).toHaveLength(1);
    expect(calls.at(-1)).toMatchObject({ op: 'refund_query', status: 'SUCCESS' });
    // At the emulator: one refund request for this number, one refund of 1.50.
    const trade = s.emulator.trade(orderId)!;
    expect(trade.refundRequests.get(refundId)).toBe(1);
    expect([...trade.refunds.values()].map((r) => r.amount)).toEqual(['1.50']);
    expect((await merchantCall(s.stack.api.url, '/api/query', merchant, { mercOrderNo })).body.refundedAmt).toBe('1.50');
  });

  it('an answer without fund_change is not proof: refund.query settles it, with no second refund request', async () => {
    const merchant = await testMerchant(s.stack.pool, { mode: 'live' });
    const { orderId, mercOrderNo } = await paidOrder(merchant);
    s.emulator.faults.gateway = [{ kind: 'no_fund_change', method: 'alipay.trade.refund', times: 1 }];
    const mercRefundNo = refundNo();
    const refundId = (await merchantCall(s.stack.api.url, '/api/refund', merchant, { mercOrderNo, mercRefundNo, refundAmt: '0.70' })).body.refundId!;
    await refundStatusOf(merchant, mercRefundNo, 'r0000');
    const calls = (await listChannelCalls(s.stack.pool, orderId)).filter((c) => c.op.startsWith('refund'));
    expect(calls[0]).toMatchObject({ op: 'refund', status: 'UNKNOWN' });
    expect(calls[0]!.error).toContain('fund_change absent');
    expect(calls.at(-1)).toMatchObject({ op: 'refund_query', status: 'SUCCESS' });
    expect(s.emulator.trade(orderId)!.refundRequests.get(refundId)).toBe(1);
  });

  it('a refund Alipay never made after an unknown answer is not taken for failed: it waits in the human queue, still queried', async () => {
    const merchant = await testMerchant(s.stack.pool, { mode: 'live' });
    const { orderId, mercOrderNo } = await paidOrder(merchant);
    s.emulator.faults.gateway = [{ kind: 'system_error', method: 'alipay.trade.refund', times: 1 }];
    const mercRefundNo = refundNo();
    const res = await merchantCall(s.stack.api.url, '/api/refund', merchant, { mercOrderNo, mercRefundNo, refundAmt: '1.00' });
    const refundId = res.body.refundId!;
    const review = await eventually(async () => (await listReviewsOf(s.stack.pool, orderId)).find((r) => r.kind === ('refund_unknown' as never) && r.resolvedAtMs === null), 15_000, 'refund review');
    expect(review.workflowId).toBe(`refund:${merchant.mercNo}:${mercRefundNo}`);
    const after = await merchantCall(s.stack.api.url, '/api/refund/query', merchant, { mercRefundNo });
    expect(after.body.refundStatus).toBe('r0002');
    // Its amount stays held: 4.00 refundable, not 5.00.
    expect((await merchantCall(s.stack.api.url, '/api/refund', merchant, { mercOrderNo, mercRefundNo: refundNo(), refundAmt: '4.01' })).body.respCode).toBe('100010');
    // Never asked to refund a second time.
    expect(s.emulator.trade(orderId)!.refundRequests.get(refundId) ?? 0).toBe(0);
    expect((await listChannelCalls(s.stack.pool, orderId)).filter((c) => c.op === 'refund')).toHaveLength(1);

    // It is listed in the human queue with its refundId; a person checks Alipay's portal and decides: not refunded.
    const queue = await supportCall<{ orders: { refundId?: string; kind: string }[] }>(s.stack.api.adminUrl, 'GET', `/support/v1/ambiguous?mercNo=${merchant.mercNo}`);
    expect(queue.body.orders).toEqual([expect.objectContaining({ refundId, kind: 'refund_unknown' })]);
    const resolved = await supportCall(s.stack.api.adminUrl, 'POST', `/support/v1/refunds/${refundId}/resolve`, {
      body: { decision: 'not_refunded', reason: 'no such refund in the Alipay portal' },
    });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ refundStatus: 'r0003', actor: 'ops-alice' });
    const [closed] = (await listReviewsOf(s.stack.pool, orderId)).filter((r) => r.refundId === refundId);
    expect(closed).toMatchObject({ decision: 'not_refunded', actor: 'ops-alice' });
    expect(closed!.resolvedAtMs).not.toBeNull();
    // The amount is refundable again; a second decision is refused.
    expect((await merchantCall(s.stack.api.url, '/api/refund', merchant, { mercOrderNo, mercRefundNo: refundNo(), refundAmt: '5.00' })).body.respCode).toBe('000000');
    const again = await supportCall(s.stack.api.adminUrl, 'POST', `/support/v1/refunds/${refundId}/resolve`, { body: { decision: 'refunded', reason: 'x' } });
    expect(again.status).toBe(409);
  });
});
