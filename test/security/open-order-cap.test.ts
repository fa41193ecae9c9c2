import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, merchantCall, payInSandbox, startStack, testMerchant, type TestStack } from '../support/stack';
import { unifiedOrderFields } from '../support/requests';
import { findOrderById, findOrderByMercOrderNo } from '../../db/orders';
import { countOpenOrders } from '../../db/open-orders';
import { orderWorkflowId } from '../../domain/order';
import { verifySignature } from '../../domain/signing';
import type { TestMerchant as Merchant } from '../support/stack-core';

// Finding 6: no cap on open orders. With MAX_OPEN_ORDERS_PER_MERCHANT=2, a merchant's third order not yet final is
// refused (100009, HTTP 429, signed, nothing created); a repeat of an existing order is answered as before; once an
// order is closed or paid there is room again.
let stack: TestStack;

beforeAll(async () => {
  stack = await startStack({ MAX_OPEN_ORDERS_PER_MERCHANT: '2' });
});
afterAll(async () => {
  await stack?.stop();
});

const pay = (merchant: Merchant, fields: Record<string, string>) => merchantCall(stack.api.url, '/api/pay', merchant, fields);
const channelOrderNoOf = (codeUrl: string) => new URL(codeUrl).pathname.split('/').pop()!;

async function placed(merchant: Merchant) {
  const fields = unifiedOrderFields();
  const answer = await pay(merchant, fields);
  expect(answer.body.respCode, answer.body.respDesc).toBe('000000');
  return { fields, answer };
}

async function countedOpen(merchant: Merchant): Promise<number> {
  const { rows } = await stack.pool.query<{ n: string }>(
    "SELECT count(*) AS n FROM orders WHERE merc_no = $1 AND pay_status IN ('p0001', 'p0002')", [merchant.mercNo]);
  return Number(rows[0]!.n);
}

describe('open orders per merchant', () => {
  it('refuses a new order over the cap, still answers repeats, and has room again once orders are final', async () => {
    const merchant = await testMerchant(stack.pool);
    const a = await placed(merchant);
    const b = await placed(merchant);
    expect(await countOpenOrders(stack.pool, merchant.mercNo)).toBe(2);

    const cFields = unifiedOrderFields();
    const refused = await pay(merchant, cFields);
    expect(refused.status).toBe(429);
    expect(refused.body).toMatchObject({ respCode: '100009', interfaceCode: 'pay', mercNo: merchant.mercNo });
    expect(refused.body.respDesc).toContain('open order limit: 2 orders of this merchant are not final yet');
    expect(verifySignature(refused.body, merchant.signKey, 'MD5', refused.body.signature!)).toBe(true);
    expect(await findOrderByMercOrderNo(stack.pool, merchant.mercNo, cFields.mercOrderNo!)).toBeNull();
    await expect(stack.client.workflow.getHandle(orderWorkflowId(merchant.mercNo, cFields.mercOrderNo!)).describe()).rejects.toThrow();

    // The same request again for an order that exists: its original answer, never the cap.
    const repeat = await pay(merchant, a.fields);
    expect(repeat.status).toBe(200);
    expect(repeat.body).toEqual(a.answer.body);

    // Another merchant has its own count.
    await placed(await testMerchant(stack.pool));

    // Closed (p0005): room for one more, and the refused order can be placed now.
    const closed = await merchantCall(stack.api.url, '/api/close', merchant, { mercOrderNo: a.fields.mercOrderNo! });
    expect(closed.body).toMatchObject({ respCode: '000000', payStatus: 'p0005' });
    expect(await countOpenOrders(stack.pool, merchant.mercNo)).toBe(1);
    expect((await pay(merchant, cFields)).body.respCode).toBe('000000');
    expect((await pay(merchant, unifiedOrderFields())).status).toBe(429);
    expect((await pay(merchant, a.fields)).body).toEqual(a.answer.body); // at the cap, the closed order's repeat too

    // Paid (p0000): room again.
    expect((await payInSandbox(stack.api.url, channelOrderNoOf(b.answer.body.codeUrl!))).body.paid).toBe(true);
    await eventually(async () => (await findOrderById(stack.pool, b.answer.body.orderId!))?.payStatus === 'p0000', 15_000, 'order b paid');
    expect((await pay(merchant, unifiedOrderFields())).body.respCode).toBe('000000');

    // The counter the cap reads agrees with the orders themselves.
    expect(await countOpenOrders(stack.pool, merchant.mercNo)).toBe(await countedOpen(merchant));
    expect(await countOpenOrders(stack.pool, merchant.mercNo)).toBe(2);
  });
});
