import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, merchantCall, testMerchant } from '../support/stack';
import { MerchantReceiver } from '../support/merchant-receiver';
import { startAlipayStack, type AlipayStack } from '../support/alipay';
import { supportCall } from '../support/support-call';
import { orderReaches, payoutCall, payoutFields, payoutSettings, payoutTotalOf } from '../support/payouts';
import { listChannelCalls } from '../../db/channel-calls';
import { listReviewsOf } from '../../db/order-reviews';
import { findPayout } from '../../db/payouts';

// Alipay payouts end to end: real API + worker + Temporal + PostgreSQL, alipay.fund.trans.uni.transfer and
// alipay.fund.trans.common.query at the emulator, which deduplicates by out_biz_no and counts the transfer requests.
let s: AlipayStack;
const receivers: MerchantReceiver[] = [];

beforeAll(async () => {
  s = await startAlipayStack({ POLL_SCHEDULE: '2s', PAYOUT_QUERY_SCHEDULE: '200ms', PAYOUT_ESCALATE_AFTER: '1s' });
});
afterEach(async () => {
  s.emulator.faults.gateway = [];
  await Promise.all(receivers.splice(0).map((r) => r.stop()));
});
afterAll(async () => {
  await s?.stop();
});

const receiver = async () => {
  const r = await new MerchantReceiver().start();
  receivers.push(r);
  return r;
};

describe('Alipay payouts', () => {
  it('uni.transfer to an Alipay account: transferred once, p0000, notified; a repeat of the request sends nothing', async () => {
    const merchant = await testMerchant(s.stack.pool, { mode: 'live' });
    const r = await receiver();
    const fields = payoutFields({ tradeAmt: '12.34', notifyUrl: r.url, payeeAccountType: 'alipay_user_id', payeeAccount: '2088000000000099' });
    const res = await payoutCall(s.stack, merchant, fields);
    expect(res.body.respCode, res.body.respDesc).toBe('000000');
    const orderId = res.body.orderId!;
    await orderReaches(s.stack, orderId, 'p0000');
    expect(s.emulator.transfer(orderId)).toMatchObject({ amount: '12.34', identity: '2088000000000099', identityType: 'ALIPAY_USER_ID', name: '张三', productCode: 'TRANS_ACCOUNT_NO_PWD' });
    expect(s.emulator.transferRequests(orderId)).toBe(1);
    expect((await findPayout(s.stack.pool, orderId))!.channelTransferNo).toBe(s.emulator.transfer(orderId)!.orderId);
    // The same facts over the emulator's HTTP control (for the demo and scripts).
    const seen = (await (await fetch(`${s.emulator.url}/_emulator/transfers?outBizNo=${orderId}`)).json()) as { transfer: { amount: string }; requests: number };
    expect(seen).toMatchObject({ transfer: { amount: '12.34' }, requests: 1 });
    await eventually(async () => (r.forOrder(orderId).length > 0 ? true : null), 15_000, 'notified');
    expect(r.forOrder(orderId)[0]!.body).toMatchObject({ orderId, payStatus: 'p0000', tradeType: '02', tradeAmt: '12.34', livemode: 'true' });
    expect((await payoutCall(s.stack, merchant, fields)).body).toMatchObject({ respCode: '000000', orderId });
    expect(s.emulator.transferRequests(orderId)).toBe(1);
    // A payout is not closed by the merchant.
    expect((await merchantCall(s.stack.api.url, '/api/close', merchant, { orderId })).body.respCode).toBe('100006');
  });

  it('a test-key payout only reaches the sandbox, never Alipay', async () => {
    const merchant = await testMerchant(s.stack.pool, { mode: 'test' });
    const res = await payoutCall(s.stack, merchant, payoutFields({ tradeAmt: '1.00' }));
    expect(res.body).toMatchObject({ respCode: '000000', livemode: 'false' });
    const order = await orderReaches(s.stack, res.body.orderId!, 'p0000');
    expect(order.channel).toBe('sandbox');
    expect(s.emulator.transferRequests(res.body.orderId!)).toBe(0);
  });

  it('uni.transfer to a bank card (TRANS_BANKCARD_NO_PWD) after a support operator approved it', async () => {
    const merchant = await testMerchant(s.stack.pool, { mode: 'live' });
    await payoutSettings(s.stack.pool, merchant, { approvalRequired: true });
    const res = await payoutCall(s.stack, merchant, payoutFields({ tradeType: '03', payeeAccountType: 'bank_card', payeeAccount: '6222020200001234567', bankCode: 'ICBC' }));
    expect(res.body.respCode, res.body.respDesc).toBe('000000');
    const orderId = res.body.orderId!;
    await eventually(async () => ((await findPayout(s.stack.pool, orderId))?.approval === 'pending' ? true : null), 5_000, 'pending approval');
    expect(s.emulator.transferRequests(orderId)).toBe(0);
    const approved = await supportCall(s.stack.api.adminUrl, 'POST', `/support/v1/orders/${orderId}/payout-approval`, { body: { decision: 'approve', reason: 'checked' } });
    expect(approved.status).toBe(200);
    await orderReaches(s.stack, orderId, 'p0000');
    expect(s.emulator.transfer(orderId)).toMatchObject({ identityType: 'BANKCARD_ACCOUNT', productCode: 'TRANS_BANKCARD_NO_PWD' });
    expect(s.emulator.transferRequests(orderId)).toBe(1);
  });

  it('a payee Alipay refuses (PAYEE_NOT_EXIST): p0004 with the reason, notified, the amount back on the day\'s limit', async () => {
    const merchant = await testMerchant(s.stack.pool, { mode: 'live' });
    await payoutSettings(s.stack.pool, merchant, { dailyLimitFen: 1_000 });
    const r = await receiver();
    const res = await payoutCall(s.stack, merchant, payoutFields({ tradeAmt: '10.00', notifyUrl: r.url, payeeAccount: 'missing@example.com' }));
    expect(res.body.respCode).toBe('000000');
    const orderId = res.body.orderId!;
    await orderReaches(s.stack, orderId, 'p0004');
    expect((await findPayout(s.stack.pool, orderId))!.failReason).toContain('PAYEE_NOT_EXIST');
    expect(s.emulator.transfer(orderId)).toBeUndefined();
    await eventually(async () => (r.forOrder(orderId).length > 0 ? true : null), 15_000, 'notified');
    expect(r.forOrder(orderId)[0]!.body).toMatchObject({ payStatus: 'p0004', tradeType: '02' });
    expect(await payoutTotalOf(s.stack.pool, merchant.mercNo)).toBe(0);
    const again = await payoutCall(s.stack, merchant, payoutFields({ tradeAmt: '10.00' }));
    expect(again.body.respCode).toBe('000000');
    // Settled before the next test sets its faults (they apply to the next transfer request, whoever sends it).
    await orderReaches(s.stack, again.body.orderId!, 'p0000');
  });

  it('a transfer whose answer times out is found made by common.query: p0000, never sent a second time', async () => {
    const merchant = await testMerchant(s.stack.pool, { mode: 'live' });
    // The emulator makes the transfer but answers only after 2 s; the adapter gives up after ALIPAY_TIMEOUT (500 ms).
    s.emulator.faults.gateway = [{ kind: 'timeout', method: 'alipay.fund.trans.uni.transfer', times: 1, delayMs: 2_000 }];
    const res = await payoutCall(s.stack, merchant, payoutFields({ tradeAmt: '1.50' }));
    const orderId = res.body.orderId!;
    await orderReaches(s.stack, orderId, 'p0000');
    const calls = await listChannelCalls(s.stack.pool, orderId);
    expect(calls[0]).toMatchObject({ op: 'transfer', status: 'UNKNOWN' });
    expect(calls.filter((c) => c.op === 'transfer')).toHaveLength(1);
    expect(calls.at(-1)).toMatchObject({ op: 'transfer_query', status: 'SUCCESS' });
    expect(s.emulator.transferRequests(orderId)).toBe(1);
    expect(s.emulator.transfer(orderId)).toMatchObject({ amount: '1.50' });
  });

  it('SYSTEM_ERROR and no transfer found: never taken for failed; the human queue, where a person decides not transferred (p0004)', async () => {
    const merchant = await testMerchant(s.stack.pool, { mode: 'live' });
    const r = await receiver();
    s.emulator.faults.gateway = [{ kind: 'system_error', method: 'alipay.fund.trans.uni.transfer', times: 1 }];
    const res = await payoutCall(s.stack, merchant, payoutFields({ tradeAmt: '2.00', notifyUrl: r.url }));
    const orderId = res.body.orderId!;
    const review = await eventually(async () => (await listReviewsOf(s.stack.pool, orderId)).find((v) => v.resolvedAtMs === null), 15_000, 'payout review');
    expect(review).toMatchObject({ kind: 'unknown_result', workflowId: `order:${merchant.mercNo}:${res.body.mercOrderNo}` });
    expect((await merchantCall(s.stack.api.url, '/api/query', merchant, { orderId })).body.payStatus).toBe('p0002');
    expect(s.emulator.transferRequests(orderId)).toBe(1);
    expect((await listChannelCalls(s.stack.pool, orderId)).filter((c) => c.op === 'transfer')).toHaveLength(1);

    const queue = await supportCall<{ orders: { orderId: string }[] }>(s.stack.api.adminUrl, 'GET', `/support/v1/ambiguous?mercNo=${merchant.mercNo}`);
    expect(queue.body.orders.map((o) => o.orderId)).toEqual([orderId]);
    const resolved = await supportCall(s.stack.api.adminUrl, 'POST', `/support/v1/orders/${orderId}/resolve`, { body: { decision: 'unpaid', reason: 'no such transfer in the Alipay portal' } });
    expect(resolved.status).toBe(200);
    expect(resolved.body).toMatchObject({ payStatus: 'p0004' });
    await eventually(async () => (r.forOrder(orderId).length > 0 ? true : null), 15_000, 'notified');
    expect(r.forOrder(orderId)[0]!.body).toMatchObject({ payStatus: 'p0004' });
    expect(s.emulator.transferRequests(orderId)).toBe(1);
    expect(await payoutTotalOf(s.stack.pool, merchant.mercNo)).toBe(0);
  });
});
