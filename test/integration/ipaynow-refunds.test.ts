import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { eventually, merchantCall, testMerchant, type TestMerchant } from '../support/stack';
import { unifiedOrderFields } from '../support/requests';
import { orderOf, PLATFORM_APP_ID, PLATFORM_APP_KEY, startIpaynowStack, type IpaynowStack } from '../support/ipaynow';
import { listChannelCalls } from '../../db/channel-calls';
import { encodeForm } from '../../channels/ipaynow/form';
import { ipaynowSign } from '../../channels/ipaynow/signing';
import { q001Request } from '../../channels/ipaynow/refunds';
import { verifyAnswer } from '../../channels/ipaynow/transport';

// IPayNow refunds end to end: R001 and Q001 at the emulator, whose answers are signed as the genuine refund gateway
// signs them — the OLD rule, without signType. Real API + worker + Temporal + PostgreSQL.
let s: IpaynowStack;

beforeAll(async () => {
  s = await startIpaynowStack({ POLL_SCHEDULE: '200ms', REFUND_QUERY_SCHEDULE: '200ms' });
});
afterEach(() => {
  s.emulator.controls.resetFaults();
});
afterAll(async () => {
  await s?.stop();
});

async function paidOrder(merchant: TestMerchant): Promise<{ orderId: string; mercOrderNo: string }> {
  const fields = unifiedOrderFields({ tradeAmt: '3.00' });
  const res = await merchantCall(s.stack.api.url, '/api/pay', merchant, fields);
  expect(res.body.respCode, res.body.respDesc).toBe('000000');
  const orderId = res.body.orderId!;
  s.emulator.controls.pay(orderId);
  await eventually(async () => ((await orderOf(s.stack, orderId)).payStatus === 'p0000' ? true : null), 15_000, 'paid');
  return { orderId, mercOrderNo: fields.mercOrderNo! };
}

const refundNo = () => `IR${Date.now()}${Math.floor(Math.random() * 1e6)}`;
const refundStatusOf = (merchant: TestMerchant, mercRefundNo: string, status: string) => eventually(async () => {
  const res = await merchantCall(s.stack.api.url, '/api/refund/query', merchant, { mercRefundNo });
  return res.body.refundStatus === status ? res.body : null;
}, 15_000, `refund ${status}`);
const r001Calls = (orderId: string) => s.emulator.controls.calls(orderId).filter((c) => c.funcode === 'R001');

describe('IPayNow refunds (R001 / Q001)', () => {
  it('R001 refunds a paid order; its OLD-rule answer verifies; the amount is refunded once', async () => {
    const merchant = await testMerchant(s.stack.pool, { mode: 'live' });
    const { orderId, mercOrderNo } = await paidOrder(merchant);
    const mercRefundNo = refundNo();
    const res = await merchantCall(s.stack.api.url, '/api/refund', merchant, { mercOrderNo, mercRefundNo, refundAmt: '1.20', reason: '退货' });
    expect(res.body.respCode, res.body.respDesc).toBe('000000');
    const refundId = res.body.refundId!;
    await refundStatusOf(merchant, mercRefundNo, 'r0000');
    expect(r001Calls(orderId).map((c) => [c.request.mhtRefundNo, c.request.amount, c.responseCode])).toEqual([[refundId, '120', 'R000']]);
    expect(s.emulator.controls.order(orderId)!.refunds.get(refundId)).toMatchObject({ amountFen: 120 });

    // What the gateway answers a Q001 for it: signed without signType (OLD), which the adapter accepts.
    const request = q001Request({ orderId, refundId }, PLATFORM_APP_ID);
    const http = await fetch(s.emulator.url, {
      method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      body: encodeForm({ ...request, mhtSignature: ipaynowSign(request, PLATFORM_APP_KEY) }),
    });
    const verified = verifyAnswer(await http.text(), { appId: PLATFORM_APP_ID, appKey: PLATFORM_APP_KEY, baseUrl: s.emulator.url }, 'Q001');
    expect(verified).toMatchObject({ kind: 'answer', signRule: 'old', fields: { refundStatus: 'R010', amount: '120', mhtRefundNo: refundId } });
  });

  it('an R001 answer that times out is settled by Q001 with the same mhtRefundNo: one R001, refunded once', async () => {
    const merchant = await testMerchant(s.stack.pool, { mode: 'live' });
    const { orderId, mercOrderNo } = await paidOrder(merchant);
    // The emulator makes the refund, then answers after 2 s; IPAYNOW_TIMEOUT is 500 ms.
    s.emulator.controls.setFaults({ delayMs: { R001: 2_000 } });
    const mercRefundNo = refundNo();
    const res = await merchantCall(s.stack.api.url, '/api/refund', merchant, { mercOrderNo, mercRefundNo, refundAmt: '3.00' });
    const refundId = res.body.refundId!;
    await refundStatusOf(merchant, mercRefundNo, 'r0000');
    const calls = (await listChannelCalls(s.stack.pool, orderId)).filter((c) => c.op.startsWith('refund'));
    expect(calls[0]).toMatchObject({ op: 'refund', status: 'UNKNOWN' });
    expect(calls.at(-1)).toMatchObject({ op: 'refund_query', status: 'SUCCESS' });
    expect(r001Calls(orderId)).toHaveLength(1);
    expect(s.emulator.controls.calls(orderId).filter((c) => c.funcode === 'Q001' && c.request.mhtRefundNo === refundId).length).toBeGreaterThan(0);
    expect((await merchantCall(s.stack.api.url, '/api/query', merchant, { mercOrderNo })).body.refundedAmt).toBe('3.00');
  });
});
