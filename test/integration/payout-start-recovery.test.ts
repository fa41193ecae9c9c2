import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { runEntryPoint } from '../../devstack/child';
import { freePort, repoRoot } from '../../devstack/paths';
import { eventually, merchantCall, startStack, testMerchant, type TestMerchant, type TestStack } from '../support/stack';
import { MerchantReceiver } from '../support/merchant-receiver';
import { TcpProxy } from '../support/tcp-proxy';
import { orderReaches, payoutCall, payoutFields, payoutSettings, payoutTotalOf } from '../support/payouts';
import { parseUnifiedOrder } from '../../api/schemas/unified-order';
import { requestHash } from '../../api/request-hash';
import { inTransaction } from '../../db/pool';
import { insertOrder, recordEvent, savePayAnswer } from '../../db/orders';
import { claimUnstartedPayouts, findPayout, insertPayout, reservePayoutLimit } from '../../db/payouts';
import { listChannelCalls } from '../../db/channel-calls';
import { formatFenAsYuan } from '../../domain/money';
import { orderWorkflowId } from '../../domain/order';
import { newOrderId } from '../../domain/order-id';
import { PayStatus } from '../../domain/pay-status';

// Payout start crash safety: a payout accepted (order p0001, payee row, its amount counted against the day's limit)
// whose workflow was never started is started by the workers' recovery (payouts/start-recovery.ts).
let stack: TestStack;
let merchant: TestMerchant;
/** The API reaches Temporal through this proxy (the worker directly): cut, the API cannot start workflows. */
let proxy: TcpProxy;
const receivers: MerchantReceiver[] = [];

beforeAll(async () => {
  proxy = await new TcpProxy(inject('temporalAddress')).start();
  stack = await startStack({
    PAYOUT_START_RECOVERY_AFTER: '300ms', PAYOUT_QUERY_SCHEDULE: '100ms', POLL_SCHEDULE: '1h', PAY_ANSWER_TIMEOUT: '1s',
  }, { apiTemporalAddress: proxy.address });
  merchant = await testMerchant(stack.pool, { notifyScheduleMs: [200, 200, 200] });
  await payoutSettings(stack.pool, merchant, { dailyLimitFen: 10_000 });
});
afterAll(async () => {
  await Promise.allSettled(receivers.map((r) => r.stop()));
  await stack?.stop();
  await proxy?.stop();
});

const receiver = async () => {
  const r = await new MerchantReceiver().start();
  receivers.push(r);
  return r;
};
const transfersAt = async (orderId: string) => {
  const { rows } = await stack.pool.query<{ requests: number; amount_fen: string }>('SELECT requests, amount_fen FROM sandbox_transfers WHERE out_biz_no = $1', [orderId]);
  return rows;
};
const recoveries = async () => Number(/^paydurable_payout_start_recoveries_total (\d+)/m.exec(await stack.worker!.metrics.registry.metrics())?.[1] ?? NaN);

describe('payout start recovery', () => {
  it('a payout accepted but never started (the API died between the two) is started by the workers and completes', async () => {
    const before = await recoveries();
    const r = await receiver();
    // What the unified order commits in its transaction for a payout (payouts/place-payout.ts), and then no start:
    // the state an API killed with SIGKILL right after the commit leaves behind.
    const fields = { ...payoutFields({ tradeAmt: '2.40', notifyUrl: r.url }), mercNo: merchant.mercNo };
    const draft = { ...parseUnifiedOrder(fields, 'MD5', Date.now()), livemode: false };
    const orderId = newOrderId(Date.now(), randomBytes(8).readBigUInt64BE());
    await inTransaction(stack.pool, async (tx) => {
      const row = await insertOrder(tx, {
        orderId, workflowId: orderWorkflowId(merchant.mercNo, draft.mercOrderNo), requestHash: requestHash(fields, 'test'), channel: 'sandbox',
        draft, firstPollDelayMs: 0, watchUntilMs: null,
      });
      expect(row.inserted).toBe(true);
      await tx.query('UPDATE orders SET next_poll_at = NULL WHERE order_id = $1', [orderId]);
      await savePayAnswer(tx, orderId, {
        kind: 'ok',
        data: {
          mercOrderNo: draft.mercOrderNo, tradeType: draft.tradeType, tradeAmt: formatFenAsYuan(draft.amountFen), tradeTime: draft.tradeTime,
          feeType: draft.feeType, termType: draft.termType, orderId,
        },
      });
      const reserved = await reservePayoutLimit(tx, merchant.mercNo, draft.amountFen, 10_000);
      expect(reserved.day).not.toBeNull();
      await insertPayout(tx, { orderId, mercNo: merchant.mercNo, payee: draft.payee!, limitDay: reserved.day!, approvalRequired: false });
      await recordEvent(tx, { orderId, eventKey: 'created', type: 'created', toStatus: PayStatus.SUBMITTED, detail: { channel: 'sandbox', tradeType: '02' } });
    });
    expect((await findPayout(stack.pool, orderId))!.workflowStarted).toBe(false);
    // Not due before PAYOUT_START_RECOVERY_AFTER: a claim that waits an hour does not take it.
    expect((await claimUnstartedPayouts(stack.pool, PayStatus.SUBMITTED, 3_600_000, 1000)).map((p) => p.item)).not.toContain(orderId);

    await orderReaches(stack, orderId, 'p0000');
    await r.waitFor(1, 10_000);
    const note = r.forOrder(orderId)[0]!;
    expect(note.headers['x-notify-id']).toBe(`${orderId}-p0000`);
    expect(note.body).toMatchObject({ orderId, payStatus: 'p0000', tradeType: '02', tradeAmt: '2.40' });
    expect(await transfersAt(orderId)).toEqual([{ requests: 1, amount_fen: '240' }]);
    expect((await listChannelCalls(stack.pool, orderId)).filter((c) => c.op === 'transfer')).toHaveLength(1);
    expect((await findPayout(stack.pool, orderId))!.workflowStarted).toBe(true);
    // At least this one (the shared test database may hold other files' payouts never started, which it starts too).
    expect(await recoveries()).toBeGreaterThanOrEqual(before + 1);
    // The merchant's repeat of its request is the same payout (the rows are the use case's).
    const again = await payoutCall(stack, merchant, fields);
    expect(again.body).toMatchObject({ respCode: '000000', orderId });
    // Started and recorded as such: the recovery does not take it again.
    expect((await claimUnstartedPayouts(stack.pool, PayStatus.SUBMITTED, 100, 1000)).map((p) => p.item)).not.toContain(orderId);
  });

  it('Temporal unreachable from the API when it accepts a payout: answered 999999, accepted, and the workers start it', async () => {
    const r = await receiver();
    const fields = payoutFields({ tradeAmt: '1.10', notifyUrl: r.url });
    const totalBefore = await payoutTotalOf(stack.pool, merchant.mercNo);
    await proxy.cut();
    try {
      const started = Date.now();
      const refused = await payoutCall(stack, merchant, fields);
      expect(refused.status).toBe(503);
      expect(refused.body).toMatchObject({ respCode: '999999', respDesc: expect.stringContaining('recorded but not yet started') });
      // Within PAY_ANSWER_TIMEOUT (1s) and some room, not the client's retries.
      expect(Date.now() - started).toBeLessThan(5_000);
      const order = await eventually(async () => {
        const { rows } = await stack.pool.query<{ order_id: string }>('SELECT order_id FROM orders WHERE merc_no = $1 AND merc_order_no = $2', [merchant.mercNo, fields.mercOrderNo]);
        return rows[0]?.order_id ?? null;
      }, 5_000, 'the payout recorded');
      expect(await payoutTotalOf(stack.pool, merchant.mercNo)).toBe(totalBefore + 110);
      // The API stays cut off from Temporal: only the worker's recovery can start it.
      await orderReaches(stack, order, 'p0000');
      await eventually(async () => r.forOrder(order).some((n) => n.body.payStatus === 'p0000') || null, 10_000, 'payout notification');
      expect(await transfersAt(order)).toEqual([{ requests: 1, amount_fen: '110' }]);
      expect((await findPayout(stack.pool, order))!.workflowStarted).toBe(true);
    } finally {
      await proxy.restore();
    }
    // Reachable again: the merchant's repeat gets the payout's answer.
    const again = await payoutCall(stack, merchant, fields);
    expect(again.body).toMatchObject({ respCode: '000000', mercOrderNo: fields.mercOrderNo });
  });

  it('an API process killed with SIGKILL after accepting a payout, before its workflow started: the workers start it', async () => {
    const before = await recoveries();
    const r = await receiver();
    // An API of its own (api/main.ts) that reaches Temporal only through the proxy, waiting long for a start.
    const api = runEntryPoint(join(repoRoot, 'api/main.ts'), {
      ...stack.env, TEMPORAL_ADDRESS: proxy.address, API_PORT: String(await freePort()), ADMIN_PORT: '0', PAY_ANSWER_TIMEOUT: '60s',
    }, { silent: true });
    let cut = false;
    try {
      const { url } = (await api.ready) as { url: string };
      await proxy.cut();
      cut = true;
      const fields = payoutFields({ tradeAmt: '0.70', notifyUrl: r.url });
      const call = merchantCall(url, '/api/pay', merchant, fields).catch((err: unknown) => err as Error);
      // The payout is committed; its start hangs on the cut connection. Killed at that moment.
      const orderId = await eventually(async () => {
        const { rows } = await stack.pool.query<{ order_id: string }>('SELECT order_id FROM orders WHERE merc_no = $1 AND merc_order_no = $2', [merchant.mercNo, fields.mercOrderNo]);
        return rows[0]?.order_id ?? null;
      }, 10_000, 'the payout accepted');
      api.child.kill('SIGKILL');
      expect(await api.stop()).toBeNull();
      expect(await call).toBeInstanceOf(Error); // the merchant got no answer
      await proxy.restore();
      cut = false;

      await orderReaches(stack, orderId, 'p0000');
      await eventually(async () => r.forOrder(orderId).some((n) => n.body.payStatus === 'p0000') || null, 10_000, 'payout notification');
      expect(await transfersAt(orderId)).toEqual([{ requests: 1, amount_fen: '70' }]);
      expect(await recoveries()).toBeGreaterThanOrEqual(before + 1);
      // The merchant's repeat (to the surviving API) answers the same payout.
      expect((await payoutCall(stack, merchant, fields)).body).toMatchObject({ respCode: '000000', orderId });
    } finally {
      if (cut) await proxy.restore();
      await api.stop('SIGKILL');
    }
  });
});
