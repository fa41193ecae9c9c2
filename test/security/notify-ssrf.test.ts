import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually, merchantCall, payInSandbox, startStack, testMerchant, type TestStack } from '../support/stack';
import { MerchantReceiver } from '../support/merchant-receiver';
import { unifiedOrderFields } from '../support/requests';
import { listAttempts } from '../../db/notify-attempts';
import type { TestMerchant as Merchant } from '../support/stack-core';

// With the production default (NOTIFY_ALLOW_PRIVATE unset), the worker never connects a notification to loopback,
// private or link-local addresses, whether the notifyUrl names the address or a host name that resolves to it.
let stack: TestStack;
let merchant: Merchant;
let receiver: MerchantReceiver;

beforeAll(async () => {
  stack = await startStack({ NOTIFY_ALLOW_PRIVATE: 'false', NOTIFY_RETRY_SCHEDULE: '50ms' });
  merchant = await testMerchant(stack.pool, { notifyScheduleMs: [50] });
  receiver = await new MerchantReceiver().start();
});
afterAll(async () => {
  await receiver?.stop();
  await stack?.stop();
});

async function paidOrderNotifyingTo(notifyUrl: string): Promise<string> {
  const placed = await merchantCall(stack.api.url, '/api/pay', merchant, unifiedOrderFields({ mercNo: merchant.mercNo, notifyUrl }));
  expect(placed.body.respCode).toBe('000000');
  await payInSandbox(stack.api.url, new URL(placed.body.codeUrl!).pathname.split('/').pop()!);
  return placed.body.orderId!;
}

describe('notification SSRF policy', () => {
  it.each([
    ['a host name resolving to loopback', () => `http://localhost:${new URL(receiver.url).port}/notify`],
    ['the cloud metadata address', () => 'http://169.254.169.254/latest/meta-data/'],
    ['loopback as an IPv4-mapped IPv6 literal', () => `http://[::ffff:127.0.0.1]:${new URL(receiver.url).port}/notify`],
  ])('%s is never connected: every attempt is recorded as refused', async (_what, url) => {
    const orderId = await paidOrderNotifyingTo(url());
    const attempts = await eventually(async () => {
      const a = await listAttempts(stack.pool, orderId);
      return a.length >= 2 ? a : null;
    }, 20_000, 'two refused attempts');
    for (const a of attempts) expect(a.error).toMatch(/^refused: .*not a public address/);
    expect(receiver.received).toHaveLength(0);
  });
});
