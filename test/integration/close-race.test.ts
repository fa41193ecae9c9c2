import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { merchantCall, startStack, testMerchant, type TestStack } from '../support/stack';
import { MerchantReceiver } from '../support/merchant-receiver';
import { unifiedOrderFields } from '../support/requests';

// A merchant's close races the workers' poller: the channel's "closed" answer to a poll reaches the workflow while
// the close's own workflow task completes it. The close must still be answered (p0005), never 999999.
let stack: TestStack;
let receiver: MerchantReceiver;

beforeAll(async () => {
  stack = await startStack({ POLL_SCHEDULE: '30ms', NOTIFY_RETRY_SCHEDULE: '150ms' });
  receiver = await new MerchantReceiver().start();
});
afterAll(async () => {
  await receiver?.stop();
  await stack?.stop();
});

describe('close right after the unified order, with the poller asking the channel at the same time', () => {
  it('answers every close 000000 p0005', async () => {
    const merchant = await testMerchant(stack.pool);
    const answers: string[] = [];
    const loop = async () => {
      for (let i = 0; i < 8; i++) {
        const fields = unifiedOrderFields({ notifyUrl: receiver.url });
        const paid = await merchantCall(stack.api.url, '/api/pay', merchant, fields);
        expect(paid.body.respCode).toBe('000000');
        const closed = await merchantCall(stack.api.url, '/api/close', merchant, { mercOrderNo: fields.mercOrderNo! });
        answers.push(`${closed.status} ${closed.body.respCode} ${closed.body.payStatus ?? closed.body.respDesc}`);
      }
    };
    await Promise.all([loop(), loop(), loop(), loop()]);
    expect(answers).toEqual(Array(32).fill('200 000000 p0005'));
  });
});
