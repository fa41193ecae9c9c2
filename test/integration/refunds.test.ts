import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, merchantCall, startStack, testMerchant, type TestStack } from '../support/stack';
import { supportCall } from '../support/support-call';
import { MerchantReceiver } from '../support/merchant-receiver';
import { unifiedOrderFields } from '../support/requests';
import { paidSandboxOrder, refundCall, refundReaches } from '../support/refunds';
import { verifySignature } from '../../domain/signing';

// Refunds over real HTTP on the real stack (API + worker + Temporal + PostgreSQL), served by the sandbox.
let stack: TestStack;
let receiver: MerchantReceiver;

beforeAll(async () => {
  receiver = await new MerchantReceiver().start();
  stack = await startStack({ POLL_SCHEDULE: '1h', REFUND_QUERY_SCHEDULE: '100ms' });
});
afterAll(async () => {
  await stack?.stop();
  await receiver?.stop();
});

const refundNo = () => `R${Date.now()}${Math.floor(Math.random() * 1e6)}`;

describe('POST /api/refund (sandbox, instant)', () => {
  it('20 concurrent partial refunds of one order never exceed the amount paid', async () => {
    const merchant = await testMerchant(stack.pool);
    const { mercOrderNo, orderId } = await paidSandboxOrder(stack, merchant, '10.00');
    // 20 × 0.60 = 12.00 asked of 10.00 paid: exactly 16 fit.
    const answers = await Promise.all(Array.from({ length: 20 }, (_, i) =>
      refundCall(stack, merchant, { mercOrderNo, mercRefundNo: `C${i}-${refundNo()}`, refundAmt: '0.60', reason: 'concurrent' })));
    const accepted = answers.filter((a) => a.body.respCode === '000000');
    const refused = answers.filter((a) => a.body.respCode !== '000000');
    expect(accepted).toHaveLength(16);
    expect(refused).toHaveLength(4);
    for (const r of refused) {
      expect(r.status).toBe(409);
      expect(r.body).toMatchObject({ respCode: '100010', interfaceCode: 'refund' });
      // Errors of an authenticated request are signed like every answer.
      expect(verifySignature(r.body, merchant.signKey, 'MD5', r.body.signature!)).toBe(true);
    }
    for (const a of accepted) await refundReaches(stack, merchant, a.body.mercRefundNo!, 'r0000');
    const query = await merchantCall(stack.api.url, '/api/query', merchant, { mercOrderNo });
    expect(query.body.refundedAmt).toBe('9.60');
    expect(JSON.parse(query.body.refunds!)).toHaveLength(16);
    // What the channel did: 16 refunds, 9.60 in all.
    const { rows } = await stack.pool.query<{ n: string; total: string }>(
      `SELECT count(*) AS n, sum(r.amount_fen) AS total FROM sandbox_refunds r JOIN sandbox_orders o USING (channel_order_no) WHERE o.order_id = $1`, [orderId]);
    expect(rows[0]).toEqual({ n: '16', total: '960' });
    // The last 0.40 is still refundable; 0.41 is not.
    expect((await refundCall(stack, merchant, { mercOrderNo, mercRefundNo: refundNo(), refundAmt: '0.41' })).body.respCode).toBe('100010');
    expect((await refundCall(stack, merchant, { orderId, mercRefundNo: refundNo(), refundAmt: '0.40' })).body.respCode).toBe('000000');
  });

  it('refuses a refund of an order that is not paid (100006) and of an order it does not know (100005)', async () => {
    const merchant = await testMerchant(stack.pool);
    const pay = await merchantCall(stack.api.url, '/api/pay', merchant, unifiedOrderFields());
    expect(pay.body.respCode).toBe('000000');
    const unpaid = await refundCall(stack, merchant, { orderId: pay.body.orderId!, mercRefundNo: refundNo(), refundAmt: '0.01' });
    expect(unpaid.status).toBe(409);
    expect(unpaid.body.respCode).toBe('100006');
    expect(unpaid.body.respDesc).toContain('p0002');
    const { rows } = await stack.pool.query('SELECT 1 FROM refunds WHERE order_id = $1', [pay.body.orderId]);
    expect(rows).toHaveLength(0);
    expect((await refundCall(stack, merchant, { mercOrderNo: 'no-such-order', mercRefundNo: refundNo(), refundAmt: '0.01' })).body.respCode).toBe('100005');
  });

  it('answers the same request with the same refund; other parameters under its number are 100004', async () => {
    const merchant = await testMerchant(stack.pool);
    const { mercOrderNo } = await paidSandboxOrder(stack, merchant, '2.00');
    const mercRefundNo = refundNo();
    const fields = { mercOrderNo, mercRefundNo, refundAmt: '0.50', reason: 'returned goods' };
    const first = await refundCall(stack, merchant, fields);
    expect(first.body.respCode).toBe('000000');
    await refundReaches(stack, merchant, mercRefundNo, 'r0000');
    const again = await refundCall(stack, merchant, fields);
    expect(again.body).toMatchObject({ respCode: '000000', refundId: first.body.refundId, refundAmt: '0.50', refundStatus: 'r0000' });
    const changed = await refundCall(stack, merchant, { ...fields, refundAmt: '0.60' });
    expect(changed.status).toBe(409);
    expect(changed.body.respCode).toBe('100004');
    // Refunded once: 0.50.
    const query = await merchantCall(stack.api.url, '/api/query', merchant, { mercOrderNo });
    expect(query.body.refundedAmt).toBe('0.50');
    const byId = await merchantCall(stack.api.url, '/api/refund/query', merchant, { refundId: first.body.refundId! });
    expect(byId.body).toMatchObject({ respCode: '000000', interfaceCode: 'refundQuery', mercRefundNo, refundStatus: 'r0000' });
    // Another merchant does not see it.
    const other = await testMerchant(stack.pool);
    expect((await merchantCall(stack.api.url, '/api/refund/query', other, { refundId: first.body.refundId! })).body.respCode).toBe('100005');
  });

  it('refuses refunds after the merchant refund window (100011)', async () => {
    const merchant = await testMerchant(stack.pool);
    await stack.pool.query('UPDATE merchants SET refund_window_days = 1 WHERE merc_no = $1', [merchant.mercNo]);
    const { mercOrderNo, orderId } = await paidSandboxOrder(stack, merchant, '1.00');
    // Paid within the window: accepted.
    expect((await refundCall(stack, merchant, { mercOrderNo, mercRefundNo: refundNo(), refundAmt: '0.10' })).body.respCode).toBe('000000');
    // The same order as if it had been paid two days ago: refused.
    await stack.pool.query(`UPDATE orders SET trade_end_time = to_char(now() AT TIME ZONE 'Asia/Shanghai' - interval '2 days', 'YYYYMMDDHH24MISS') WHERE order_id = $1`, [orderId]);
    const late = await refundCall(stack, merchant, { mercOrderNo, mercRefundNo: refundNo(), refundAmt: '0.10' });
    expect(late.status).toBe(409);
    expect(late.body.respCode).toBe('100011');
  });

  it('notifies the merchant of the refund, signed, with X-Notify-Id', async () => {
    const merchant = await testMerchant(stack.pool);
    const { mercOrderNo, orderId } = await paidSandboxOrder(stack, merchant, '3.00', receiver.url);
    const mercRefundNo = refundNo();
    const res = await refundCall(stack, merchant, { mercOrderNo, mercRefundNo, refundAmt: '1.00' });
    const refundId = res.body.refundId!;
    await refundReaches(stack, merchant, mercRefundNo, 'r0000');
    const seen = await (async () => {
      for (const deadline = Date.now() + 15_000; Date.now() < deadline; await new Promise((r) => setTimeout(r, 50))) {
        const got = receiver.forOrder(refundId);
        if (got.length > 0) return got;
      }
      throw new Error('no refund notification');
    })();
    expect(seen[0]!.headers['x-notify-id']).toBe(`${refundId}-r0000`);
    expect(seen[0]!.body).toMatchObject({ notifyType: 'refund', orderId, mercOrderNo, mercRefundNo, refundId, refundAmt: '1.00', refundStatus: 'r0000' });
    expect(verifySignature(seen[0]!.body, merchant.signKey, 'MD5', seen[0]!.body.signature!)).toBe(true);
    await refundReaches(stack, merchant, mercRefundNo, 'r0000').then((b) => expect(b.notifyState).toBe('delivered'));

    // Support replays it after its workflow has closed: the same X-Notify-Id, the next attempt.
    await eventually(async () => ((await stack.client.workflow.getHandle(`refund:${merchant.mercNo}:${mercRefundNo}`).describe()).status.name === 'COMPLETED' ? true : null), 15_000, 'refund workflow closed');
    const replay = await supportCall(stack.api.adminUrl, 'POST', `/support/v1/refunds/${refundId}/notification/replay`, { body: {} });
    expect(replay.status).toBe(202);
    expect(replay.body).toMatchObject({ path: 'replay-workflow', workflowId: `replay:${refundId}-r0000:2` });
    await eventually(async () => (receiver.forOrder(refundId).length >= 2 ? true : null), 15_000, 'replayed refund notification');
    const replayed = receiver.forOrder(refundId)[1]!;
    expect(replayed.headers['x-notify-id']).toBe(`${refundId}-r0000`);
    expect(replayed.headers['x-notify-attempt']).toBe('2');
    expect(replayed.body).toMatchObject({ notifyType: 'refund', refundStatus: 'r0000' });
  });
});
