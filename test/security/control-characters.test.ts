import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { merchantCall, startStack, testMerchant, type TestStack } from '../support/stack';
import { unifiedOrderFields } from '../support/requests';

// Finding 8 (bad input): a NUL byte in subject was accepted, and the order stuck at p0001 with a failed channel call.
// Every control character in a text field is 100001 at the edge now, and nothing is written.
let stack: TestStack;

beforeAll(async () => {
  stack = await startStack();
});
afterAll(async () => {
  await stack?.stop();
});

describe('control characters in text fields', () => {
  it.each([['subject', 'Coffee\u0000beans'], ['subject', 'bell\u0007'], ['body', 'line\u001bthen'], ['attach', 'x\u007f']])(
    '%s with %j is 400 / 100001 naming the field, and no order is created',
    async (field, value) => {
      const merchant = await testMerchant(stack.pool);
      const res = await merchantCall(stack.api.url, '/api/pay', merchant, unifiedOrderFields({ [field]: value }));
      expect(res.status).toBe(400);
      expect(res.body.respCode).toBe('100001');
      expect(res.body.respDesc).toContain(field);
      expect((await stack.pool.query('SELECT 1 FROM orders WHERE merc_no = $1', [merchant.mercNo])).rowCount).toBe(0);
    },
  );
});
