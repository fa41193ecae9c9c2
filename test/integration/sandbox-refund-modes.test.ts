import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { merchantCall, startStack, testMerchant, type TestStack } from '../support/stack';
import { paidSandboxOrder, refundCall, refundReaches } from '../support/refunds';
import { listChannelCalls } from '../../db/channel-calls';
import { refundLedgerOf } from '../../db/refunds';

// The sandbox's refund modes (SANDBOX_REFUND_MODE), over real HTTP on the real stack: delayed refunds are settled by
// refund queries; failing ones end r0003 and give their amount back.
const stacks: TestStack[] = [];
let delayed: TestStack;
let failing: TestStack;

beforeAll(async () => {
  delayed = await startStack({ POLL_SCHEDULE: '1h', SANDBOX_REFUND_MODE: 'delayed', SANDBOX_REFUND_DELAY: '1s', REFUND_QUERY_SCHEDULE: '200ms' });
  stacks.push(delayed);
  failing = await startStack({ POLL_SCHEDULE: '1h', SANDBOX_REFUND_MODE: 'failing' });
  stacks.push(failing);
});
afterAll(async () => {
  await Promise.all(stacks.map((s) => s.stop()));
});

const refundNo = () => `M${Date.now()}${Math.floor(Math.random() * 1e6)}`;

describe('sandbox refund modes', () => {
  it('delayed: accepted, processing (r0002) while the sandbox says pending, refunded once a refund query finds it', async () => {
    const merchant = await testMerchant(delayed.pool);
    const { mercOrderNo, orderId } = await paidSandboxOrder(delayed, merchant, '1.00');
    const mercRefundNo = refundNo();
    expect((await refundCall(delayed, merchant, { mercOrderNo, mercRefundNo, refundAmt: '1.00' })).body.respCode).toBe('000000');
    await refundReaches(delayed, merchant, mercRefundNo, 'r0002');
    await refundReaches(delayed, merchant, mercRefundNo, 'r0000');
    const calls = (await listChannelCalls(delayed.pool, orderId)).filter((c) => c.op.startsWith('refund'));
    expect(calls[0]).toMatchObject({ op: 'refund', status: 'PENDING' });
    expect(calls.filter((c) => c.op === 'refund')).toHaveLength(1);
    expect(calls.at(-1)).toMatchObject({ op: 'refund_query', status: 'SUCCESS' });
    expect(await refundLedgerOf(delayed.pool, orderId)).toEqual({ heldFen: 0, refundedFen: 100 });
    expect((await merchantCall(delayed.api.url, '/api/query', merchant, { mercOrderNo })).body.refundedAmt).toBe('1.00');
  });

  it('failing: r0003 with the sandbox\'s reason, nothing refunded, the amount refundable again', async () => {
    const merchant = await testMerchant(failing.pool);
    const { mercOrderNo, orderId } = await paidSandboxOrder(failing, merchant, '1.00');
    const mercRefundNo = refundNo();
    expect((await refundCall(failing, merchant, { mercOrderNo, mercRefundNo, refundAmt: '1.00' })).body.respCode).toBe('000000');
    const failed = await refundReaches(failing, merchant, mercRefundNo, 'r0003');
    expect(failed.failReason).toContain('SANDBOX_REFUND_MODE=failing');
    expect(await refundLedgerOf(failing.pool, orderId)).toEqual({ heldFen: 0, refundedFen: 0 });
    expect((await merchantCall(failing.api.url, '/api/query', merchant, { mercOrderNo })).body.refundedAmt).toBe('0.00');
    // The full amount may be asked for again (under a new number).
    expect((await refundCall(failing, merchant, { mercOrderNo, mercRefundNo: refundNo(), refundAmt: '1.00' })).body.respCode).toBe('000000');
  });
});
