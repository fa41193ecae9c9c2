import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, merchantCall, payInSandbox, startStack, testMerchant, type TestStack } from '../support/stack';
import { unifiedOrderFields } from '../support/requests';
import { findOrderById } from '../../db/orders';
import { createSandboxChannel } from '../../channels/sandbox';
import type { Channel } from '../../domain/channels';

// The sandbox's refund and refund query (the Channel interface's refund side) on a real PostgreSQL, for an order paid
// through the real stack.
let stack: TestStack;
let sandbox: Channel;

beforeAll(async () => {
  stack = await startStack({ POLL_SCHEDULE: '1h' });
  sandbox = createSandboxChannel({ pool: stack.pool, publicBaseUrl: stack.config.api.publicBaseUrl });
});
afterAll(async () => {
  await stack?.stop();
});

async function paidOrder(): Promise<string> {
  const merchant = await testMerchant(stack.pool);
  const res = await merchantCall(stack.api.url, '/api/pay', merchant, unifiedOrderFields({ tradeAmt: '1.00' }));
  expect(res.body.respCode).toBe('000000');
  const orderId = res.body.orderId!;
  const channelOrderNo = decodeURIComponent(new URL(res.body.codeUrl!).pathname.split('/').pop()!);
  expect((await payInSandbox(stack.api.url, channelOrderNo)).body.paid).toBe(true);
  await eventually(async () => ((await findOrderById(stack.pool, orderId))?.payStatus === 'p0000' ? true : null), 15_000, 'paid');
  return orderId;
}

describe('sandbox refunds', () => {
  it('refunds a paid order up to its amount, once per refund id; a query finds what was made', async () => {
    const orderId = await paidOrder();
    expect(await sandbox.refund({ orderId, refundId: `${orderId}-r1`, amountFen: 60 })).toMatchObject({ status: 'SUCCESS', amountFen: 60 });
    // The same refund id again: the same refund, not a second one.
    expect(await sandbox.refund({ orderId, refundId: `${orderId}-r1`, amountFen: 60 })).toMatchObject({ status: 'SUCCESS', amountFen: 60 });
    expect(await sandbox.refund({ orderId, refundId: `${orderId}-r1`, amountFen: 10 })).toMatchObject({ status: 'FAIL' });
    expect(await sandbox.refund({ orderId, refundId: `${orderId}-r2`, amountFen: 41 })).toMatchObject({ status: 'FAIL', reason: 'refunds would exceed the amount paid' });
    expect(await sandbox.refund({ orderId, refundId: `${orderId}-r2`, amountFen: 40 })).toMatchObject({ status: 'SUCCESS', amountFen: 40 });
    expect(await sandbox.queryRefund({ orderId, refundId: `${orderId}-r2` })).toMatchObject({ status: 'SUCCESS', amountFen: 40 });
    expect(await sandbox.queryRefund({ orderId, refundId: `${orderId}-r9` })).toMatchObject({ status: 'FAIL' });
  });

  it('refuses an order that is not paid, and one it does not have', async () => {
    const merchant = await testMerchant(stack.pool);
    const res = await merchantCall(stack.api.url, '/api/pay', merchant, unifiedOrderFields());
    expect(await sandbox.refund({ orderId: res.body.orderId!, refundId: 'R-open', amountFen: 1 })).toMatchObject({ status: 'FAIL' });
    expect(await sandbox.refund({ orderId: 'no-such-order', refundId: 'R-none', amountFen: 1 })).toMatchObject({ status: 'FAIL' });
  });
});
